-- Makes a manual page out of a header in docs/man/ and the reference pages it includes, so the
-- man pages and docs/*.md are one text. pandoc 2.17 or later:
--
--   pandoc -f markdown-smart -t man -s --lua-filter docs/man/man.lua docs/man/onair.1.md
--
-- What it does:
--
-- * A div `::: {.include src="../commands.md" shift="-1"}` in the header is replaced by that
--   page (read as GitHub Markdown, as the pages are written), its headings moved by `shift`
--   levels; a heading moved above level 1 (the page's title) is dropped and its text joins the
--   section before.
-- * Level 1 headings become `.SH`, in capitals as man pages write them; level 2 `.SS`; deeper
--   ones (man has no third level) a line in bold.
-- * A section whose heading follows the comment `<!-- man: omit section -->` is left out (text
--   for maintainers only).
-- * Links: to a page that is a man page, a reference such as "onair.yaml(5)"; to a section of
--   the same man page, its name in capitals; to another reference page, its file name (SEE ALSO
--   says where those are installed). A man page has no link targets.
-- * Tables get column widths that fit 80 columns; a table that cannot fit becomes a list of
--   terms (the first column, or the first two when the first only sorts the rows) with what the
--   other columns say.
-- * The SYNOPSIS, a line block of commands, wraps each command under its options (.SY).
-- * No hyphenation (an option broken at a hyphen cannot be searched for), tabs in examples as
--   spaces, and no false page ends in tables (see the Pandoc function below).

-- The reference pages that are man pages, and which.
local man_pages = {
  ["commands.md"] = { "onair", "1" },
  ["config.md"] = { "onair.yaml", "5" },
  ["schedule.md"] = { "onair.yaml", "5" },
  ["api.md"] = { "onair-api", "7" },
}

-- Room for a table in a section's body on an 80-column terminal: 78 columns of page, less the
-- 7 of the body's indent. tbl puts 3 between columns; the man writer writes a column's width
-- as a fraction of 70.
local table_room = 71
local column_gap = 3
local writer_scale = 70
-- A table column narrower than this (when its text needs more) reads badly: list instead.
local narrowest_column = 24

local this_page -- e.g. "onair.yaml", from the header's title
local sections = {} -- identifier -> true, for the .SH sections of this page

local function text_width(s)
  return utf8.len(s) or #s
end

local function header_dir()
  local inputs = PANDOC_STATE.input_files
  local first = inputs and inputs[1] or "."
  return first:match("^(.*)/[^/]*$") or "."
end

local function read_page(path)
  local f = assert(io.open(path, "r"), "man.lua: cannot read " .. path)
  local text = f:read("a")
  f:close()
  return pandoc.read(text, "gfm").blocks
end

-- The blocks of an included page: sections marked for omission left out, headings shifted.
local function included(blocks, shift)
  local out = pandoc.List()
  local omit_next, omitting = false, nil
  for _, b in ipairs(blocks) do
    if b.t == "RawBlock" and b.text:match("^<!%-%-%s*man:%s*omit section%s*%-%->") then
      omit_next = true
    elseif b.t == "Header" and omitting and b.level <= omitting then
      omitting = nil
    end
    if b.t == "Header" and omit_next then
      omit_next, omitting = false, b.level
    end
    if not omitting and b.t ~= "RawBlock" then
      if b.t == "Header" then
        b.level = b.level + shift
        if b.level >= 1 then
          out:insert(b)
        end
      else
        out:insert(b)
      end
    end
  end
  return out
end

-- SYNOPSIS as a line block, one command a line, each starting with the command in bold: a
-- .SY/.YS paragraph per line, so that a long one wraps under its options, not under the name.
local function synopsis_lines(block)
  local out = pandoc.List()
  for _, line in ipairs(block.content) do
    local name, rest = line[1], pandoc.List({ table.unpack(line, 2) })
    while rest[1] and rest[1].t == "Space" do
      rest:remove(1)
    end
    local roff = pandoc.write(pandoc.Pandoc({ pandoc.Plain(rest) }), "man")
    out:insert(pandoc.RawBlock("man", '.SY "' .. pandoc.utils.stringify(name) .. '"\n' .. roff
      .. "\n.YS"))
  end
  -- .YS turns hyphenation back on; these pages have none (a hyphenated option cannot be found)
  out:insert(pandoc.RawBlock("man", ".nh"))
  return out
end

local function synopsis(blocks)
  local out, in_synopsis = pandoc.List(), false
  for _, b in ipairs(blocks) do
    if b.t == "Header" then
      in_synopsis = b.level == 1 and pandoc.utils.stringify(b.content) == "SYNOPSIS"
    end
    if in_synopsis and b.t == "LineBlock" then
      out:extend(synopsis_lines(b))
    else
      out:insert(b)
    end
  end
  return out
end

local function expand_includes(blocks)
  local out = pandoc.List()
  for _, b in ipairs(blocks) do
    if b.t == "Div" and b.classes:includes("include") then
      local src = assert(b.attributes.src, "man.lua: an include without src")
      local shift = tonumber(b.attributes.shift or "0")
      out:extend(included(read_page(header_dir() .. "/" .. src), shift))
    else
      out:insert(b)
    end
  end
  return out
end

local function page_reference(page)
  return pandoc.List({ pandoc.Strong({ pandoc.Str(page[1]) }), pandoc.Str("(" .. page[2] .. ")") })
end

local function link(el)
  local target = el.target
  if target:match("^%a[%w+.-]*:") then
    return nil -- a URL: the writer prints it after the text
  end
  local file, fragment = target:match("^([^#]*)#?(.*)$")
  local base = file:match("([^/]+)$") or ""
  local stem = base:gsub("%.md$", "")
  local text = pandoc.utils.stringify(el.content)
  local names_the_page = (text == base or text == stem)
  local page = man_pages[base]
  if file == "" or (page and page[1] == this_page) then
    -- a place on this page: a section is named as it is headed, in capitals
    if sections[fragment] and not names_the_page then
      return pandoc.Str(text:upper())
    end
    return el.content
  end
  local reference
  if page then
    reference = page_reference(page)
  else
    reference = pandoc.List({ pandoc.Emph({ pandoc.Str(base) }) })
  end
  if names_the_page then
    return reference
  end
  local out = pandoc.List(el.content)
  out:insert(pandoc.Space())
  out:insert(pandoc.Str("("))
  if page then
    out:insert(pandoc.Str("see"))
    out:insert(pandoc.Space())
  end
  out:extend(reference)
  out:insert(pandoc.Str(")"))
  return out
end

-- Level 1 is .SH, in capitals; level 2 .SS; deeper levels (man has no third) a bold line.
local function heading(el)
  if el.level >= 3 then
    return pandoc.Para({ pandoc.Strong(el.content) })
  end
  if el.level ~= 1 then
    return nil
  end
  el.content = el.content:walk({
    Str = function(s)
      return pandoc.Str(s.text:upper())
    end,
    Code = function(c)
      return pandoc.Code(c.text:upper())
    end,
  })
  return el
end

-- Tabs in examples (`onair list` prints one) as spaces to the next multiple of 8: roff's tab
-- stops are not the terminal's.
local function code_block(el)
  if not el.text:find("\t") then
    return nil
  end
  local lines = pandoc.List()
  for line in (el.text .. "\n"):gmatch("(.-)\n") do
    local out = ""
    for i = 1, #line do
      local c = line:sub(i, i)
      if c == "\t" then
        local column = utf8.len(out) or #out
        out = out .. string.rep(" ", 8 - column % 8)
      else
        out = out .. c
      end
    end
    lines:insert(out)
  end
  el.text = table.concat(lines, "\n")
  return el
end

-- Tables ---------------------------------------------------------------------------------

local function cell_text(cell)
  return pandoc.utils.stringify(cell.contents)
end

local function rows_of(tbl)
  local rows = {}
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      table.insert(rows, row)
    end
  end
  return rows
end

-- Widths, in columns, sharing the room by max-min fairness: a column that needs less than an
-- equal share gets what it needs, the others split what is left. nil when a column would be
-- too narrow for its text, or for its longest word (which tbl cannot break).
local function fitted_widths(natural, longest_word)
  local n = #natural
  local room = table_room - column_gap * (n - 1)
  local widths, open = {}, {}
  for i = 1, n do
    open[i] = true
  end
  local left, open_count = room, n
  local settled = true
  while settled and open_count > 0 do
    settled = false
    local share = left / open_count
    for i = 1, n do
      if open[i] and natural[i] <= share then
        widths[i], open[i] = natural[i], false
        left, open_count = left - natural[i], open_count - 1
        settled = true
      end
    end
  end
  if open_count > 0 then
    local share = math.floor(left / open_count)
    for i = 1, n do
      if open[i] then
        if share < narrowest_column then
          return nil
        end
        widths[i] = share
      end
    end
  end
  for i = 1, n do
    if widths[i] < longest_word[i] then
      return nil
    end
  end
  return widths
end

local function plain_inlines(cell)
  local inlines = pandoc.List()
  for _, b in ipairs(cell.contents) do
    if b.content then
      if #inlines > 0 then
        inlines:insert(pandoc.Space())
      end
      inlines:extend(b.content)
    end
  end
  return inlines
end

-- The table as a list of terms: the first column (the first two when the first is a word
-- such as GET) is the term; the widest column says what it is, the others follow in brackets
-- with their headings.
local function as_definitions(tbl, natural)
  local n = #natural
  local head = tbl.head.rows[1]
  local headings = {}
  for i = 1, n do
    headings[i] = head and cell_text(head.cells[i]) or ""
  end
  -- A first column whose values repeat (GET, POST) sorts the rows rather than names them: the
  -- term is then the first two columns.
  local rows = rows_of(tbl)
  local distinct, count = {}, 0
  for _, row in ipairs(rows) do
    local v = cell_text(row.cells[1])
    if not distinct[v] then
      distinct[v], count = true, count + 1
    end
  end
  local term_columns = 1
  if n > 2 and count * 2 <= #rows then
    term_columns = 2
  end
  local main = term_columns + 1
  for i = term_columns + 1, n do
    if natural[i] > natural[main] then
      main = i
    end
  end
  local items = pandoc.List()
  for _, row in ipairs(rows) do
    local term = pandoc.List()
    for i = 1, term_columns do
      if i > 1 then
        term:insert(pandoc.Space())
      end
      term:extend(plain_inlines(row.cells[i]))
    end
    local para = plain_inlines(row.cells[main])
    local notes = pandoc.List()
    for i = term_columns + 1, n do
      if i ~= main and cell_text(row.cells[i]) ~= "" then
        if #notes > 0 then
          notes:insert(pandoc.Str(";"))
          notes:insert(pandoc.Space())
        end
        notes:insert(pandoc.Str(headings[i] .. ":"))
        notes:insert(pandoc.Space())
        notes:extend(plain_inlines(row.cells[i]))
      end
    end
    if #notes > 0 then
      if #para > 0 then
        para:insert(pandoc.Space())
      end
      para:insert(pandoc.Str("("))
      para:extend(notes)
      para:insert(pandoc.Str(")"))
    end
    items:insert({ term, { pandoc.Para(para) } })
  end
  return pandoc.DefinitionList(items)
end

local function fit_table(tbl)
  local n = #tbl.colspecs
  local natural, longest_word = {}, {}
  for i = 1, n do
    natural[i], longest_word[i] = 1, 1
  end
  local all_rows = rows_of(tbl)
  for _, row in ipairs(tbl.head.rows) do
    table.insert(all_rows, row)
  end
  for _, row in ipairs(all_rows) do
    for i, cell in ipairs(row.cells) do
      local text = cell_text(cell)
      natural[i] = math.max(natural[i], text_width(text))
      for word in text:gmatch("%S+") do
        longest_word[i] = math.max(longest_word[i], text_width(word))
      end
    end
  end
  local widths = fitted_widths(natural, longest_word)
  if not widths then
    return as_definitions(tbl, natural)
  end
  for i = 1, n do
    tbl.colspecs[i] = { tbl.colspecs[i][1], widths[i] / writer_scale }
  end
  return tbl
end

return {
  {
    Pandoc = function(doc)
      this_page = pandoc.utils.stringify(doc.meta.title or ""):lower()
      -- man renders on a terminal as one long page (groff's cR register), which grows only as
      -- text comes; tbl (groff 1.22) still sees the end of the first 66 lines as a page end,
      -- and leaves an empty line in a table that crosses it, or warns "table text block will
      -- not fit on one page". A long page from the start, cut to the text at the end as
      -- always, has no such end.
      doc.meta["header-includes"] =
        pandoc.MetaBlocks({ pandoc.RawBlock("man", ".if n .if \\n[cR] .pl 100000v") })
      doc.blocks = synopsis(expand_includes(doc.blocks))
      for _, b in ipairs(doc.blocks) do
        if b.t == "Header" and b.level == 1 and b.identifier ~= "" then
          sections[b.identifier] = true
        end
      end
      return doc
    end,
  },
  { Link = link, Header = heading, Table = fit_table, CodeBlock = code_block },
}
