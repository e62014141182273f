"""What importing each file of tests/corpus/ must give, written by hand from contract.md.

One Case per import: the file (in tests/corpus/, or `../workbooks/NAME` for the shared
workbooks), the options, the exit code, the summary row, the rejects (line, error), the
title lines and the headers named in the `Warning:` line, and every stored order with
every field that is not empty (`zone` is `other` unless given: the contract's default).
The comment above each case says what the file tests. Error texts follow the README's
form (`HEADER (field): reason`); the contract fixes only their meaning, and the two
texts it quotes ("unclosed quote starting on line N", "order_no X also on line N with a
different FIELD").

`read_as` tells the test's own reader (not callbackctl's) how to find the file's cells
for the property test: (encoding, delimiter) for text, "json", "jsonl" or "workbook";
`lines=True` reads each physical line alone (for files with an unclosed quote).

`xfail` maps a test ("import", "again", "property") to the reason the code disagrees
with the contract today; such tests are xfail(strict=True).
"""

from dataclasses import dataclass, field


@dataclass
class Case:
    file: str
    what: str
    read_as: tuple | str
    args: list = field(default_factory=list)
    exit: int = 0
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    error: str = ""
    rejects: list = field(default_factory=list)       # [(line, error)]
    raws: dict = field(default_factory=dict)          # line -> the reject's raw row, where checked
    titles: list = field(default_factory=list)        # [(line, text)] above the header
    unknown: list = field(default_factory=list)       # headers named in the Warning line
    orders: dict = field(default_factory=dict)        # order_no -> stored fields
    before: list = field(default_factory=list)        # files imported first (same desk)
    policy: str = ""                                  # a policy file's text, given with --policy
    strict: bool = False
    lines: bool = False
    xfail: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)      # the reader's Warning lines, after the file's name

    @property
    def name(self):
        return self.file.rsplit("/", 1)[-1]


def o(**fields):
    """A stored order: zone is `other` unless the file gave one."""
    return {"zone": "other", **fields}


def phone(number, valid=True):
    return {"phone": number, "phone_valid": 1 if valid else 0}


GBK = ("gbk", ",")
UTF8 = ("utf-8", ",")

CASES = {}


def case(key, *args, **kwargs):
    assert key not in CASES
    CASES[key] = Case(*args, **kwargs)


# -- encodings, delimiters, line ends, title rows ----------------------------------------

# Excel's CSV on a Chinese Windows: GBK, CRLF, a report title and an export time above the
# header; dates in three spellings; a phone with spaces and a landline with a dash.
case("gbk_title_crlf", "gbk_title_crlf.csv", "GBK CSV with title rows and CRLF", GBK,
     read=3, inserted=3,
     titles=[(1, "服务工单导出报表,,,,,,"), (2, "导出时间：2026-11-23 08:30,,,,,,")],
     orders={
         "SY2026110001": o(service_type="install", customer="林工", **phone("13800138000"), region="华北",
                           provider="石家庄鑫源机械", completed_at="2026-11-20 14:05:00"),
         "SY2026110002": o(service_type="maintenance", customer="王女士", **phone("13900139000"), region="华东",
                           provider="杭州恒通机械", completed_at="2026-11-21 09:30:00"),
         "SY2026110003": o(service_type="repair", customer="张先生", **phone("057188886666"), region="华东",
                           provider="杭州恒通机械", completed_at="2026-11-22 16:00:00"),
     })

# Excel's trailing ",,,,," rows (and one in the middle) are not rows: a clean export exits 0.
# A fee of 0 is kept; "1,200" is 1200.
case("gbk_trailing_blank_rows", "gbk_trailing_blank_rows.csv", "Excel's empty ,,,,, rows", GBK,
     read=3, inserted=3,
     orders={
         "SY2026110011": o(service_type="delivery", customer="赵工", **phone("13700137000"),
                           completed_at="2026-11-18 10:00:00", fee=0),
         "SY2026110012": o(service_type="inspection", customer="钱工", **phone("13600136000"),
                           completed_at="2026-11-18 11:00:00"),
         "SY2026110013": o(service_type="warranty_repair", customer="孙工", **phone("13500135000"),
                           completed_at="2026-11-19 15:30:00", fee=1200),
     })

# UTF-8 with BOM, English headers in any case and spacing (Order_No, Service Type, Dealer),
# +86/0086 phones, zones, yes/no and the word VIP, a serial with leading zeros, ¥ and 元,
# a status that the completion time already implies (not stored as given).
case("utf8_bom_english", "utf8_bom_english.csv", "UTF-8 BOM, English headers", ("utf-8-sig", ","),
     read=3, inserted=3,
     orders={
         "EX-1001": o(service_type="install", customer="Li Wei", **phone("13800138001"), zone="urban",
                      region="East", provider="Hengtong", product="SY75C", serial_no="SY0075C001",
                      completed_at="2026-11-20 09:15:00", machine_hours=12, fee=150, warranty=1, vip=1),
         "EX-1002": o(service_type="paid_repair", customer="Chen Jing", **phone("13800138002"), zone="suburban",
                      region="East", provider="Hengtong", product="SY215C", serial_no="00123",
                      completed_at="2026-11-21 13:00:00", machine_hours=1240.5, fee=800, warranty=0, vip=0),
         "EX-1003": o(service_type="consultation", customer="Wang Fang"),
     })

# Excel's "Unicode text": UTF-16LE with BOM, tab-separated, CRLF, a quoted cell with "".
# 故障描述 is the fault column the faults report reads: kept, and not warned about.
case("unicode_text", "unicode_text.txt", "UTF-16 'Unicode text' TSV", ("utf-16", "\t"),
     read=2, inserted=2,
     orders={
         "SY2026110021": o(service_type="repair", customer="周工", **phone("13300133000"),
                           completed_at="2026-11-19 08:00:00", extra={"故障描述": "液压泵异响, 漏油"}),
         "SY2026110022": o(service_type="paid_repair", customer="吴工", **phone("13300133001"),
                           completed_at="2026-11-19 09:00:00", extra={"故障描述": '发动机"冒黑烟"'}),
     })

# European Excel: ";" between cells (found by itself), a ";" inside a quoted cell, a "," unquoted.
case("semicolon", "semicolon.csv", "; delimiter", ("utf-8", ";"),
     read=2, inserted=2,
     orders={
         "SY2026110031": o(service_type="install", customer="郑工", **phone("13200132000"),
                           completed_at="2026-11-17 10:00:00", address="杭州市西湖区文三路1号; 3楼"),
         "SY2026110032": o(service_type="delivery", customer="冯工", **phone("13200132001"),
                           completed_at="2026-11-17 11:00:00", address="宁波市, 北仑区"),
     })

# An ERP's "|" text file named .txt, GBK, with its own header words (工单类型, 客户名称,
# 客户电话, 所属区域, 服务站, 维修工程师, 完工日期): aliases, no warning.
case("pipe_erp", "pipe_erp.txt", "| delimiter, ERP aliases", ("gbk", "|"),
     read=2, inserted=2,
     orders={
         "SY2026110041": o(service_type="repair", customer="卫工", **phone("13100131000"), region="西南",
                           provider="成都蜀工机械", engineer="陈刚", completed_at="2026-11-16 00:00:00"),
         "SY2026110042": o(service_type="maintenance", customer="蒋工", **phone("13100131001"), region="西南",
                           provider="成都蜀工机械", engineer="陈刚", completed_at="2026-11-16 17:45:00"),
     })

# Old Mac line ends (CR only) are read as lines.
case("cr_only", "cr_only.csv", "CR-only line ends", UTF8,
     read=2, inserted=2,
     orders={
         "SY2026110051": o(service_type="install", customer="沈工", **phone("15000150000"),
                           completed_at="2026-11-15 10:00:00"),
         "SY2026110052": o(service_type="repair", customer="韩工", **phone("15000150001"),
                           completed_at="2026-11-15 11:00:00"),
     })

# Notes typed with Alt+Enter: LF inside quoted cells, a "," inside, doubled quotes; GBK, CRLF.
case("multiline_notes", "multiline_notes.csv", "quoted multi-line notes", GBK,
     read=3, inserted=3, unknown=["备注"],
     orders={
         "SY2026110061": o(service_type="repair", customer="杨工", **phone("15100151000"),
                           completed_at="2026-11-14 09:00:00",
                           extra={"备注": "第一次上门未修好\n第二次更换油封, 已修复"}),
         "SY2026110062": o(service_type="maintenance", customer="朱工", **phone("15100151001"),
                           completed_at="2026-11-14 10:00:00", extra={"备注": '客户说："下次提前联系"'}),
         "SY2026110063": o(service_type="install", customer="秦工", **phone("15100151002"),
                           completed_at="2026-11-14 11:00:00", extra={"备注": "三行备注\n第二行\n第三行"}),
     })

# Bullet 1: an unbalanced quote ("张三 (VIP) rejects its row; the rows after it are read; exit 1.
case("unclosed_quote", "unclosed_quote.csv", "an unclosed quote mid-file", UTF8, lines=True,
     exit=1, read=4, inserted=3, rejected=1,
     rejects=[(2, "unclosed quote starting on line 2")],
     raws={2: {"_line": 'SY2026110071,安装,"张三 (VIP,13800138071,2026-11-13 10:00'}},
     orders={
         "SY2026110072": o(service_type="repair", customer="李四", **phone("13800138072"),
                           completed_at="2026-11-13 11:00:00"),
         "SY2026110073": o(service_type="maintenance", customer="王五", **phone("13800138073"),
                           completed_at="2026-11-13 12:00:00"),
         "SY2026110074": o(service_type="repair", customer="赵六", **phone("13800138074"),
                           completed_at="2026-11-13 13:00:00"),
     })

# An unbalanced quote on the last line, which has no line end (GBK, CRLF).
case("unclosed_quote_last", "unclosed_quote_last.csv", "an unclosed quote on the last line", GBK, lines=True,
     exit=1, read=2, inserted=1, rejected=1,
     rejects=[(3, "unclosed quote starting on line 3")],
     orders={
         "SY2026110081": o(service_type="install", customer="王工", **phone("13800138081"),
                           completed_at="2026-11-13 10:00:00"),
     })

# A valid cell over three lines, one of them with more commas than a row has and one
# that looks like an order: one cell, never rejects nor a bogus order (#28).
case("multiline_many_delimiters", "multiline_many_delimiters.csv", "a multi-line cell full of commas", UTF8,
     read=2, inserted=2, unknown=["note"],
     orders={
         "ML01": o(service_type="repair", extra={"note": "第一行\nsee: a, b, c, d, e\nML09,repair,not a row"}),
         "ML02": o(service_type="repair", extra={"note": "ok"}),
     })

# A valid cell over 60 lines, each with a comma (#28).
case("long_cell", "long_cell.csv", "a quoted cell of 60 lines", UTF8,
     read=2, inserted=2, unknown=["note"],
     orders={
         "LC01": o(service_type="repair", extra={"note": "\n".join(f"第{i}行, 备注" for i in range(1, 61))}),
         "LC02": o(service_type="install", extra={"note": "短"}),
     })

# A quote that never closes in a two-column file: its line is rejected, the rest read (#28).
case("two_column_unclosed", "two_column_unclosed.csv", "an unclosed quote, two columns", UTF8, lines=True,
     exit=1, read=3, inserted=2, rejected=1,
     rejects=[(2, "unclosed quote starting on line 2")],
     orders={"TC02": o(service_type="install"), "TC03": o(service_type="repair")})

# Big5 (Taiwan, Hong Kong dealers), traditional headers: told from GB18030 by itself (#28).
case("big5_taiwan", "big5_taiwan.csv", "Big5", ("big5", ","),
     read=2, inserted=2,
     orders={
         "TW01": o(service_type="repair", customer="陳先生", address="臺灣高雄市前鎮區中山二路"),
         "TW02": o(service_type="install", customer="黃小姐", address="香港九龍旺角彌敦道"),
     })

# CR-only line ends with a CR and an LF inside quoted cells: each kept as it is (#28).
case("cr_only_quoted_break", "cr_only_quoted_break.csv", "CR-only, line breaks in cells", UTF8,
     read=2, inserted=2, unknown=["note"],
     orders={
         "CR01": o(service_type="repair", extra={"note": "two\rlines"}),
         "CR02": o(service_type="install", extra={"note": "with\nLF"}),
     })

# Semicolons inside a quoted multi-line cell do not make ; the delimiter (#28).
case("semicolon_in_cell", "semicolon_in_cell.csv", "; inside a quoted cell", UTF8,
     read=2, inserted=2, unknown=["note"],
     orders={
         "SC01": o(service_type="repair", extra={"note": "a;b;c\nd;e;f;g;h\n1;2;3;4;5"}),
         "SC02": o(service_type="repair", extra={"note": "ok"}),
     })

# -- headers -----------------------------------------------------------------------------

# Bullet 3: a blank header becomes column_3: kept with the order, named in the warning,
# and present in a rejected row's raw row.
case("blank_header", "blank_header.csv", "a blank header", UTF8,
     exit=1, read=2, inserted=1, rejected=1, unknown=["column_3"],
     rejects=[(3, "服务类型 (service_type): unknown service type '拆机'")],
     raws={3: {"工单号": "SY2026110092", "服务类型": "拆机", "column_3": "普通", "客户": "孙工",
               "电话": "13800138092", "完工时间": "2026-11-12 11:00"}},
     orders={
         "SY2026110091": o(service_type="install", customer="钱工", **phone("13800138091"),
                           completed_at="2026-11-12 10:00:00", extra={"column_3": "加急"}),
     })

# Bullet 3: 备注,备注 keeps both (备注, 备注_2), in the order and in a rejected row.
case("repeated_header", "repeated_header.csv", "a repeated header", UTF8,
     exit=1, read=2, inserted=1, rejected=1, unknown=["备注", "备注_2"],
     rejects=[(3, "完工时间 (completed_at): impossible date '2026-13-01 10:00'")],
     raws={3: {"工单号": "SY2026110102", "服务类型": "安装", "客户": "吴工", "电话": "13800138102",
               "完工时间": "2026-13-01 10:00", "备注": "下午到", "备注_2": "需回访"}},
     orders={
         "SY2026110101": o(service_type="install", customer="周工", **phone("13800138101"),
                           completed_at="2026-11-12 10:00:00", extra={"备注": "上午到", "备注_2": "客户满意"}),
     })

# Two columns for one field (电话/手机, 费用/结算金额): the first non-empty value is used,
# a different other value is kept under its own header; no warning (both name a field).
case("two_columns_one_field", "two_columns_one_field.csv", "two columns map to one field", UTF8,
     read=3, inserted=3,
     orders={
         "SY2026110111": o(service_type="repair", **phone("057188886666"), completed_at="2026-11-11 10:00:00",
                           fee=300, extra={"手机": "13800138111"}),
         "SY2026110112": o(service_type="repair", **phone("13800138112"), completed_at="2026-11-11 11:00:00",
                           fee=450),
         "SY2026110113": o(service_type="repair", **phone("13800138113"), completed_at="2026-11-11 12:00:00",
                           fee=200, extra={"结算金额": "180"}),
     })

# 电话,电话: two columns that map to one field, the second named 电话_2. The first non-empty
# value is the phone (SY2026110122's first cell is empty); the other is kept as 电话_2.
case("repeated_known_header", "repeated_known_header.csv", "a repeated known header", UTF8,
     read=2, inserted=2,
     orders={
         "SY2026110121": o(service_type="repair", **phone("13800138121"), completed_at="2026-11-11 10:00:00",
                           extra={"电话_2": "13900139121"}),
         "SY2026110122": o(service_type="repair", **phone("13900139122"), completed_at="2026-11-11 11:00:00"),
     })

# Bullet 6: headers with a note (*工单号, 服务类型（必填）, 客户姓名:, 电话【手机】,
# 完工时间(yyyy-mm-dd), 费用(元)) match their fields: no warning.
case("header_notes", "header_notes.csv", "headers with notes", UTF8,
     read=2, inserted=2,
     orders={
         "SY2026110131": o(service_type="maintenance", customer="冯工", **phone("13800138131"),
                           completed_at="2026-11-10 00:00:00", fee=120),
         "SY2026110132": o(service_type="install", customer="陈工", **phone("13800138132"),
                           completed_at="2026-11-10 08:30:00", fee=0),
     })

# An ERP's header words: 服务单号 工单类型 客户名称 客户电话 所属区域 服务站 维修工程师
# 报修日期 完工日期 工作时长 实收金额; 故障现象 kept for the faults report (no warning).
case("erp_aliases", "erp_aliases.csv", "ERP aliases", GBK,
     read=2, inserted=2,
     orders={
         "FW20261101": o(service_type="repair", customer="褚工", **phone("13800138141"), region="华中",
                         provider="武汉三一服务站", engineer="卫东", reported_at="2026-11-08 09:00:00",
                         completed_at="2026-11-09 16:30:00", machine_hours=2150, fee=350,
                         extra={"故障现象": "回转无力"}),
         "FW20261102": o(service_type="paid_repair", customer="卫工", **phone("13800138142"), region="华中",
                         provider="武汉三一服务站", engineer="卫东", reported_at="2026-11-08 00:00:00",
                         completed_at="2026-11-09 00:00:00", machine_hours=860, fee=1200,
                         extra={"故障现象": "发动机无法启动"}),
     })

# Bullet 6: headers that match no field are kept and named in one Warning line.
case("unknown_headers", "unknown_headers.csv", "unknown headers warned", UTF8,
     read=2, inserted=2, unknown=["工单来源", "服务站编码"],
     orders={
         "SY2026110151": o(service_type="install", customer="蒋工", completed_at="2026-11-08 10:00:00",
                           extra={"工单来源": "400热线", "服务站编码": "S-0571-01"}),
         "SY2026110152": o(service_type="install", customer="沈工", completed_at="2026-11-08 11:00:00",
                           extra={"服务站编码": "S-0571-02"}),
     })

# --map maps a dealer's own headers; the one left unmapped is still warned about.
case("map_option", "map_option.csv", "--map", UTF8,
     args=["--map", "结单时间=completed_at", "--map", "网点名称=provider"],
     read=1, inserted=1, unknown=["回单人"],
     orders={
         "SY2026110161": o(service_type="repair", provider="杭州恒通机械", completed_at="2026-11-07 15:00:00",
                           extra={"回单人": "小李"}),
     })

# The policy's [import.columns] maps a dealer's own header.
case("policy_columns", "policy_columns.csv", "policy [import.columns]", UTF8,
     policy='[import.columns]\n"回单时间" = "completed_at"\n',
     read=1, inserted=1,
     orders={"SY2026110171": o(service_type="repair", completed_at="2026-11-07 16:00:00")})

# -- the same order twice in a file -----------------------------------------------------

# Bullet 2: rows that agree (the third written otherwise: spaces in the phone, slashes) are one order.
case("dup_agree", "dup_agree.csv", "duplicate rows that agree", UTF8,
     read=3, inserted=2, unchanged=1,
     orders={
         "SY2026110181": o(service_type="install", customer="韩工", **phone("13800138181"),
                           completed_at="2026-11-06 10:00:00"),
         "SY2026110182": o(service_type="install", customer="杨工", **phone("13800138182"),
                           completed_at="2026-11-06 11:00:00"),
     })

# Bullet 2: rows that fill each other's empty cells are one order; parts add up.
case("dup_fill", "dup_fill.csv", "duplicate rows that fill each other", UTF8,
     read=3, inserted=1, updated=1, unchanged=1,
     orders={
         "SY2026110191": o(service_type="repair", customer="朱工", **phone("13800138191"),
                           completed_at="2026-11-05 10:00:00", parts_replaced="液压油滤芯, 主泵密封件", fee=480),
     })

# Bullet 2: rows that conflict (a phone, a kept column, the service type): the later row is
# rejected naming the first; never a mix.
case("dup_conflict", "dup_conflict.csv", "duplicate rows that conflict", UTF8,
     exit=1, read=6, inserted=3, rejected=3, unknown=["备注"],
     rejects=[(3, "order_no SY2026110201 also on line 2 with a different phone"),
              (5, "order_no SY2026110202 also on line 4 with a different 备注"),
              (7, "order_no SY2026110203 also on line 6 with a different service_type")],
     orders={
         "SY2026110201": o(service_type="repair", customer="秦工", **phone("13800138201"),
                           completed_at="2026-11-04 10:00:00", extra={"备注": "第一次"}),
         "SY2026110202": o(service_type="maintenance", customer="尤工", **phone("13800138202"),
                           completed_at="2026-11-04 11:00:00", extra={"备注": "上午"}),
         "SY2026110203": o(service_type="install", customer="许工", **phone("13800138203"),
                           completed_at="2026-11-04 12:00:00"),
     })

# -- values --------------------------------------------------------------------------------

# Bullet 4: phones in every shape. Valid: Excel's .0, full-width digits, 86/+86/0086, a landline
# with 转/ext (kept after a comma), brackets, 400 numbers, +86 before a Beijing landline.
# Invalid, kept as typed and flagged: scientific notation, too short, two numbers, Excel's ="...".
case("phones", "phones.csv", "phones in every shape", UTF8,
     read=15, inserted=15,
     orders={
         "PH01": o(service_type="consultation", **phone("13800138000")),
         "PH02": o(service_type="consultation", **phone("13800138002")),
         "PH03": o(service_type="consultation", **phone("13800138003")),
         "PH04": o(service_type="consultation", **phone("13800138004")),
         "PH05": o(service_type="consultation", **phone("13800138005")),
         "PH06": o(service_type="consultation", **phone("057188886666,123")),
         "PH07": o(service_type="consultation", **phone("057188886666,45")),
         "PH08": o(service_type="consultation", **phone("057188886666")),
         "PH09": o(service_type="consultation", **phone("4008008888")),
         "PH10": o(service_type="consultation", **phone("1.38001E+10", valid=False)),
         "PH11": o(service_type="consultation", **phone("1380013801", valid=False)),
         "PH12": o(service_type="consultation", **phone("13800138012,13900139012", valid=False)),
         "PH13": o(service_type="consultation", **phone('="13800138013"', valid=False)),
         "PH14": o(service_type="consultation", **phone("01065528888")),
         "PH15": o(service_type="consultation", **phone("01065528888")),
     })

_DAY = "2026-11-20 00:00:00"
_AT = "2026-11-20 14:05:00"

# Bullet 5: every date spelling of the contract, an offset converted to Shanghai time, 20/11/2026
# and 11/20/2026 (one reading only), 04/04/2026 (the same either way), 下午, 20261120;
# rejected, never guessed: no day (2026, 2026-11, 2026年11月), 03/04/2026 without --date-order,
# 2026-02-30, year 1899, an Excel serial in a text file.
case("dates", "dates.csv", "dates, odd and ambiguous", UTF8,
     exit=1, read=23, inserted=16, rejected=7,
     rejects=[(14, "完工时间 (completed_at): no day in date '2026'"),
              (15, "完工时间 (completed_at): no day in date '2026-11'"),
              (16, "完工时间 (completed_at): ambiguous date '03/04/2026': day/month or month/day? "
                   "(pass --date-order dmy or mdy)"),
              # the code's words (they do not quote the cell, unlike 2026/02/30's "impossible date")
              (17, "完工时间 (completed_at): impossible date '2026-02-30 10:00'"),
              (18, "完工时间 (completed_at): year out of range '1899-12-31 10:00' (years 1900-2200)"),
              (19, "完工时间 (completed_at): a number, not a date: '45980'"),
              (23, "完工时间 (completed_at): no day in date '2026年11月'")],
     orders={no: o(service_type="repair", completed_at=at) for no, at in {
         "DT01": _AT, "DT02": _AT, "DT03": _AT, "DT04": _AT, "DT05": _AT, "DT06": _DAY, "DT07": _DAY,
         "DT08": _AT, "DT09": _AT, "DT10": _DAY, "DT11": _DAY, "DT12": _DAY, "DT19": "2026-11-20 14:05:30",
         "DT20": "2026-04-04 00:00:00", "DT21": _AT, "DT23": _DAY}.items()})

# --date-order dmy reads 03/04/2026 as 3 April; 11/20/2026 is then impossible.
case("dates_dmy", "dates_dmy.csv", "--date-order dmy", UTF8,
     args=["--date-order", "dmy"], exit=1, read=3, inserted=2, rejected=1,
     # the code's words: they quote the date as rewritten, not the cell as typed (11/20/2026)
     rejects=[(4, "完工时间 (completed_at): impossible date '11/20/2026' (read as dmy)")],
     orders={
         "DM01": o(service_type="repair", completed_at="2026-04-03 10:00:00", reported_at="2026-04-01 00:00:00"),
         "DM02": o(service_type="repair", completed_at=_DAY),
     })

# --date-order mdy reads 03/04/2026 as 4 March.
case("dates_mdy", "dates_mdy.csv", "--date-order mdy", UTF8,
     args=["--date-order", "mdy"], read=2, inserted=2,
     orders={
         "MD01": o(service_type="repair", completed_at="2026-03-04 10:00:00"),
         "MD02": o(service_type="repair", completed_at=_DAY),
     })

# Numbers as typed (1,234.5, ¥, 元, 小时, h, full-width digits) and what is not a number
# (1e20, NaN, inf, abc): that row is rejected.
case("numbers", "numbers.csv", "numbers, huge and not", UTF8,
     exit=1, read=8, inserted=4, rejected=4,
     rejects=[(4, "费用 (fee): too large a number: '1e20'"),
              (5, "工时 (machine_hours): not a number: 'NaN'"),
              (6, "工时 (machine_hours): not a number: 'inf'"),
              (9, "工时 (machine_hours): not a number: 'abc'")],
     orders={
         "NU01": o(service_type="repair", machine_hours=1234.5, fee=120),
         "NU02": o(service_type="repair", machine_hours=3500, fee=120),
         "NU07": o(service_type="repair", machine_hours=120, fee=100),
         "NU08": o(service_type="repair", machine_hours=12, fee=1200),
     })

# Bullet 7: a fee of 1e20 and a year 9999 with an offset reject their rows; the good rows stay.
case("bad_cells_keep_good", "bad_cells_keep_good.csv", "one bad cell, not the whole file", UTF8,
     exit=1, read=4, inserted=2, rejected=2,
     rejects=[(3, "费用 (fee): too large a number: '1e20'"),
              (4, "完工时间 (completed_at): year out of range '9999-12-31T23:30:00-05:00' (years 1900-2200)")],
     orders={
         "BC01": o(service_type="repair", completed_at="2026-11-03 10:00:00", fee=100),
         "BC04": o(service_type="repair", completed_at="2026-11-03 12:00:00", fee=100),
     })

# Zones, statuses (kept only where the completion time does not imply them), yes/no and VIP
# words; an unknown zone, an empty service type for a new order, an unknown type, a bad yes/no.
case("status_zone_flags", "status_zone_flags.csv", "zones, statuses, flags", UTF8,
     exit=1, read=8, inserted=4, rejected=4,
     rejects=[(5, "区域类型 (zone): unknown zone '山区'"),
              (7, "service_type is empty (required for a new order)"),
              (8, "服务类型 (service_type): unknown service type '拆机'"),
              (9, "保内 (warranty): not a yes/no value: '也许'")],
     orders={
         "SZ01": o(service_type="repair", zone="urban", warranty=1, vip=1, completed_at="2026-10-27 10:00:00"),
         "SZ02": o(service_type="repair", zone="suburban", status_given="cancelled", warranty=0, vip=0),
         "SZ03": o(service_type="repair", status_given="completed"),
         "SZ05": o(service_type="repair", status_given="open", warranty=1, vip=0,
                   completed_at="2026-10-27 11:00:00"),
     })

# GB18030 beyond GBK: a rare name character (䶮), an extension-B character, an emoji.
case("gb18030_rare", "gb18030_rare.csv", "GB18030 four-byte characters", ("gb18030", ","),
     read=2, inserted=2,
     orders={
         "GB01": o(service_type="repair", customer="刘䶮", address="广州市𠈌村"),
         "GB02": o(service_type="repair", customer="王😀", address="深圳"),
     })

# Spaces around cells and headers: ASCII, ideographic (U+3000), no-break (U+00A0).
case("spaces_utf8", "spaces_utf8.csv", "spaces around cells", UTF8,
     read=1, inserted=1,
     orders={"SP01": o(service_type="repair", customer="欧阳工", **phone("13800138361"),
                       completed_at="2026-10-26 10:00:00")})

# Every cell quoted (some ERPs), "" empty cells, a quoted empty row; UTF-8 BOM, CRLF.
case("quoted_everything", "quoted_everything.csv", "every cell quoted", ("utf-8-sig", ","),
     read=2, inserted=2,
     orders={
         "QT01": o(service_type="repair", customer="孔工", **phone("13800138371"),
                   completed_at="2026-10-24 10:00:00", location="绍兴市柯桥区, 采石场"),
         "QT02": o(service_type="maintenance", **phone("13800138372")),
     })

# A row with more cells than the header is rejected whole (its extra cell kept as column_5);
# a row with fewer is read.
case("wide_row", "wide_row.csv", "ragged rows", UTF8,
     exit=1, read=3, inserted=2, rejected=1,
     rejects=[(3, "row has 5 cells but the header has 4")],
     raws={3: {"工单号": "WR02", "服务类型": "维修", "客户": "卫工", "电话": "13800138352", "column_5": "多出来的一格"}},
     orders={
         "WR01": o(service_type="repair", customer="褚工", **phone("13800138351")),
         "WR03": o(service_type="repair", customer="蒋工"),
     })

# Every data row ends with a "," the header lacks: an empty cell past the header holds
# nothing to keep, so the rows are read (contract silent; what a user expects).
case("trailing_delimiter", "trailing_delimiter.csv", "a trailing delimiter on every row", GBK,
     read=2, inserted=2,
     orders={
         "TD01": o(service_type="repair", customer="孔工", **phone("13800138381"), completed_at="2026-10-23 10:00:00"),
         "TD02": o(service_type="maintenance", customer="曹工", **phone("13800138382"),
                   completed_at="2026-10-23 11:00:00"),
     })

# Excel saved a phone it showed as 1.38001E+10: kept as typed, flagged (the order is listed
# for contact verification; see test_corpus.py for the reason `followup list` gives).
case("phone_scientific", "phone_scientific.csv", "a phone in scientific notation", GBK,
     read=2, inserted=2,
     orders={
         "SN01": o(service_type="repair", customer="陶工", **phone("1.38001E+10", valid=False),
                   completed_at="2026-11-20 10:00:00"),
         "SN02": o(service_type="repair", customer="姜工", **phone("13800138392"), completed_at="2026-11-20 11:00:00"),
     })

# Excel's "sep=;" hint line: above the header, read as a title; the ";" file is read.
case("excel_sep_hint", "excel_sep_hint.csv", "Excel's sep=; line", ("utf-8", ";"),
     read=1, inserted=1, titles=[(1, "sep=;")],
     orders={"SH01": o(service_type="repair", customer="苏工", completed_at="2026-11-02 10:00:00")})

# European Excel's decimal commas: "12,5" is not 125 and "1.200,00" is not 1.2. Nothing is
# guessed: the row is rejected (contract silent on decimal commas; a wrong number stored
# silently is what #14 forbids).
case("decimal_comma", "decimal_comma.csv", "decimal commas", ("utf-8", ";"),
     exit=1, read=2, inserted=1, rejected=1,
     rejects=[(2, "工时 (machine_hours): not a number: '12,5' (commas only group thousands, as in 1,234.5)")],
     orders={"DC02": o(service_type="repair", machine_hours=1234, fee=300)})

# A report's title and its 合计 (totals) row: the totals row is not an order: rejected, kept.
case("totals_row", "totals_row.csv", "a totals row", GBK,
     exit=1, read=3, inserted=2, rejected=1, titles=[(1, "2026年11月工单汇总,,,,")],
     rejects=[(5, "service_type is empty (required for a new order)")],
     orders={
         "SY2026110211": o(service_type="repair", customer="章工", completed_at="2026-11-02 10:00:00", fee=300),
         "SY2026110212": o(service_type="maintenance", customer="云工", completed_at="2026-11-02 11:00:00", fee=150),
     })

# --strict: one bad row, nothing imported from the file.
case("strict_bad_row", "strict_bad_row.csv", "--strict", UTF8, args=["--strict"], strict=True,
     exit=1, read=2, rejected=1,
     rejects=[(3, "完工时间 (completed_at): impossible date '2026-13-25 10:00'")])

# A second export correcting an order of gbk_title_crlf.csv: an empty cell erases nothing,
# a changed customer and a new product update it, the same values leave SY2026110002 alone.
case("update_partial", "update_partial.csv", "a correcting file: empty cells erase nothing", UTF8,
     before=["gbk_title_crlf.csv"], read=2, updated=1, unchanged=1,
     orders={
         "SY2026110001": o(service_type="install", customer="林工（老客户）", **phone("13800138000"), region="华北",
                           provider="石家庄鑫源机械", completed_at="2026-11-20 14:05:00", product="SY75C"),
         "SY2026110002": o(service_type="maintenance", customer="王女士", **phone("13900139000"), region="华东",
                           provider="杭州恒通机械", completed_at="2026-11-21 09:30:00"),
         "SY2026110003": o(service_type="repair", customer="张先生", **phone("057188886666"), region="华东",
                           provider="杭州恒通机械", completed_at="2026-11-22 16:00:00"),
     })

# -- JSON --------------------------------------------------------------------------------

# A JSON array: numbers, true/false, null, a list and an object (kept as JSON text),
# Chinese keys in one object, an empty object (not a row).
case("json_array", "json_array.json", "JSON array, typed values", "json",
     read=3, inserted=3, unknown=["tags", "note", "dealer_ref"],
     orders={
         "JS01": o(service_type="install", customer="Zhou", **phone("13800138301"),
                   completed_at="2026-11-02 10:00:00", fee=150.5, warranty=1, vip=0, extra={"tags": '["a", "b"]'}),
         "JS02": o(service_type="repair", **phone("13800138302"), completed_at="2026-11-02 11:00:00",
                   machine_hours=1200, extra={"dealer_ref": '{"id": 7}'}),
         "JS03": o(service_type="repair"),
     })

# Bullet 10: an object holding the list (an API's answer); camelCase keys.
case("json_object_list", "json_object_list.json", "a JSON object holding the list", "json",
     read=2, inserted=2, unknown=["finishTime"],
     warnings=["the rows are 'data'; the file's other members are not rows and were not imported: "
               '{"code": 0, "msg": "ok", "total": 2}'],
     orders={
         "JO01": o(service_type="maintenance", customer="许工", **phone("13800138311"),
                   extra={"finishTime": "2026-11-01 09:00"}),
         "JO02": o(service_type="repair", customer="何工", **phone("13800138312"),
                   extra={"finishTime": "2026-11-01 10:00"}),
     })

# JSONL: a broken line is rejected whole, a blank line skipped, the rest read.
case("jsonl_broken", "jsonl_broken.jsonl", "JSONL with a broken line", "jsonl",
     exit=1, read=4, inserted=2, rejected=2,
     rejects=[(2, "not valid JSON (Expecting ',' delimiter)"),
              (5, "completed_at: no day in date '2026-10'")],
     raws={2: {"_line": '{"order_no": "JL02", "service_type": "维修", "phone": "13800138322"'}},
     orders={
         "JL01": o(service_type="install", **phone("13800138321")),
         "JL03": o(service_type="maintenance", completed_at="2026-10-30 10:00:00"),
     })

# Bullet 7: a lone surrogate ("\ud800") rejects its row only.
case("json_surrogate", "json_surrogate.json", "a lone surrogate", "json",
     exit=1, read=2, inserted=1, rejected=1,
     rejects=[(1, "broken text in JSON (a lone surrogate): b'\\\\ud800'")],
     orders={"JU02": o(service_type="repair", customer="正常")})

# Bullet 7: a JSONL line nested 3000 deep rejects that line only, kept whole.
case("json_deep", "json_deep.jsonl", "deep nesting in JSONL", "jsonl",
     exit=1, read=3, inserted=2, rejected=1,
     rejects=[(2, "JSON nested too deeply")],
     orders={"JD01": o(service_type="repair"), "JD03": o(service_type="repair")})

# Bullet 7: one element of an array nested 3000 deep: the array does not parse whole, the
# other elements are read.
case("json_deep_array", "json_deep_array.json", "deep nesting in a JSON array", "json",
     exit=1, read=3, inserted=2, rejected=1,
     rejects=[(2, "JSON nested too deeply")],
     orders={"JD11": o(service_type="repair"), "JD13": o(service_type="repair")})

# -- files that are not what their name says, and files refused whole ---------------------

# An ERP's tab-separated GBK text named .xls is read as TSV.
case("tsv_named_xls", "tsv_named.xls", "TSV named .xls", ("gbk", "\t"),
     read=2, inserted=2,
     orders={
         "XL01": o(service_type="repair", customer="吕工", **phone("13800138331"), completed_at="2026-10-29 10:00:00"),
         "XL02": o(service_type="maintenance", customer="施工", **phone("13800138332"),
                   completed_at="2026-10-29 11:00:00"),
     })

# Bullet 10: a web page named .xls is refused in one line naming what it is.
case("html_named_xls", "html_named.xls", "HTML named .xls", None, exit=1,
     error="html_named.xls: a web page (HTML) saved with the name .xls, not a workbook: "
           "open it in Excel or WPS and save it as .xlsx or CSV")

# No order number column: the file is refused, naming the header it has.
case("no_order_no_column", "no_order_no_column.csv", "no order_no column", None, exit=1,
     error="no_order_no_column.csv: no order_no column (looked for order_no, 工单号, 单号, 服务单号, order, ...); "
           "the header is: 客户, 电话, 完工时间")

# An object or array as order_no is rejected, not stored as its text; a repeated key keeps
# both values, as a repeated header does (#28).
case("json_nested_key", "json_nested_key.json", "non-scalar order_no, a repeated key", "json",
     exit=1, read=3, inserted=1, rejected=2,
     rejects=[(1, "order_no is a JSON object, not a value"), (2, "order_no is a JSON array, not a value")],
     orders={"NK03": o(service_type="repair", fee=100, extra={"fee_2": "120"})})

# JSON Lines named .json: refused with the option that reads it (#28).
case("jsonl_named_json", "jsonl_named_json.json", "JSON Lines named .json", None, exit=1,
     error="jsonl_named_json.json: this is JSON Lines (one object a line), not one JSON document: "
           "pass --input-format jsonl")

# An empty file is refused.
case("empty", "empty.csv", "an empty file", None, exit=1, error="empty.csv: the file is empty")

# A header and no rows: nothing to do, exit 0.
case("header_only", "header_only.csv", "a header only", GBK)

# -- workbooks -----------------------------------------------------------------------------

# Bullet 10 (.xlsx refused before): a merged title row, an export-time date cell, phones as
# number cells, text cells with leading zeros, datetime and date cells, a date as text, bool
# cells, a completion time that is a plain number (not a date cell: rejected), five trailing
# formatted empty rows (not rows), a second sheet (not read).
case("workbook", "workbook.xlsx", "an .xlsx workbook", "workbook",
     exit=1, read=4, inserted=3, rejected=1, unknown=["备注"],
     titles=[(1, "2026年11月服务工单（华东区）"), (2, "导出时间 2026-11-23 08:30:00")],
     rejects=[(7, "完工时间 (completed_at): a number, not a date: '46346'")],
     orders={
         "WB01": o(service_type="install", customer="林工", **phone("13800138401"), serial_no="00123",
                   completed_at="2026-11-20 14:05:00", fee=1240.5, warranty=1, extra={"备注": "首保"}),
         "WB02": o(service_type="repair", **phone("057188886666"), serial_no="007",
                   completed_at="2026-11-21 00:00:00", fee=300, warranty=0),
         "WB03": o(service_type="maintenance", customer="王女士", **phone("13800138403"), serial_no="SY0075C",
                   completed_at="2026-11-22 09:30:00", fee=45000),
     })

# --sheet picks the second sheet.
case("workbook_sheet", "workbook.xlsx", "--sheet", ("workbook", "补录"),
     args=["--sheet", "补录"], read=1, inserted=1,
     orders={"WB11": o(service_type="delivery", completed_at="2026-11-19 10:00:00")})

# --sheet naming no sheet: refused, naming the sheets there are.
case("workbook_no_sheet", "workbook.xlsx", "--sheet naming no sheet", None,
     args=["--sheet", "不存在"], exit=1,
     error="workbook.xlsx: no sheet '不存在' (sheets: '工单', '补录')")

# A table that starts at B3 under a merged title, an empty row inside: lines are Excel's rows.
case("workbook_offset", "workbook_offset.xlsx", "a table starting at B3", "workbook",
     exit=1, read=3, inserted=2, rejected=1, titles=[(1, "服务工单")],
     rejects=[(6, "服务类型 (service_type): unknown service type '拆机'")],
     orders={
         "WO01": o(service_type="repair", **phone("13800138411"), completed_at="2026-11-18 09:15:00"),
         "WO03": o(service_type="install", **phone("13800138413"), completed_at="2026-11-18 16:00:00"),
     })

# An .xlsx renamed .csv is read as what it is.
case("xlsx_saved_as_csv", "xlsx_saved_as.csv", "an .xlsx named .csv", "workbook",
     read=1, inserted=1, orders={"XC01": o(service_type="repair", **phone("13800138421"))})

# The shared .xls and .ods of tests/workbooks (read-only here): the same sheet in two formats:
# a merged title, an export time, a bool in 备注 (kept as true/false), a text cell 00123, a
# phone 1.38001e10 typed as a number (its value is 13800100000), and a completion time
# that is a time of day only: no date, rejected.
for _kind in ("xls", "ods"):
    case(f"dealer_{_kind}", f"../workbooks/dealer.{_kind}", f"a .{_kind} workbook", "workbook",
         exit=1, read=3, inserted=2, rejected=1, unknown=["备注"],
         titles=[(1, "2026年11月服务工单"), (2, "导出时间 2026-11-23 08:30:00")],
         rejects=[(6, "完工时间 (completed_at): not a date: '09:30:00'")],
         orders={
             "SY2026110001": o(service_type="install", customer="林工", **phone("13800138000"),
                               completed_at="2026-11-20 14:05:00", fee=1240.5, extra={"备注": "true"}),
             "SY2026110002": o(service_type="repair", **phone("057188886666"), completed_at="2026-11-21 00:00:00",
                               fee=300, extra={"备注": "00123"}),
         })
