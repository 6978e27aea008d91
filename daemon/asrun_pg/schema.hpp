#pragma once

// The shared database's schema, created and migrated by onair. Version history:
//   1  onair_schema (the version); asrun: one row per completed airing of every station, unique
//      by (station, source, seq), where `source` names the store that wrote it (the chain value
//      of its first completed row) and `seq` is the row's place in that store's chain, with
//      every field the chain covers, so the chain is verified in the database as at home.
//
// Several daemons may start against a new database at once: migrations run in one transaction
// under an advisory lock, so exactly one creates each version.

#include "asrun_pg/connection.hpp"

namespace onair::asrun_pg {

constexpr int schema_version = 1;

// Brings the database to schema_version. Throws pg_error when it cannot, or when the database
// is newer than this build (it would not know the columns to write).
void migrate(connection& c);

// The version the database has (0 when onair never wrote to it).
int version_of(connection& c);

} // namespace onair::asrun_pg
