"""Shapes found in other projects' test files (#28): what was read wrong or refused for the
wrong reason, each a file a user could give."""

import pytest

from conftest import write


def imported(cli, path, *args):
    r = cli("import", path, *args)
    return r.exit_code, r.stderr.splitlines()[-1]


@pytest.mark.parametrize("data, message", [
    # EUC-JP: kana are GB2312 characters too, and Chinese text has none
    (b"order_no,service_type,customer\nA1,install,\xa4\xb3\xa4\xf3\xa4\xcb\xa4\xc1\xa4\xcf\xbb\xb3\xc5\xc4\n",
     "this looks like Japanese (EUC-JP): pass --encoding euc_jp, or --encoding gb18030 if it is Chinese"),
    # Shift_JIS read as GB18030: rare characters throughout
    (b"order_no,service_type,customer\nA1,install,\x93\x8c\x8b\x9e\x93\x73\x82\xb1\x82\xf1\x82\xc9\x82\xbf\x82\xcd\n",
     "cannot tell the text encoding (as GB18030 it reads as rare characters); pass --encoding, e.g. --encoding "
     "gb18030, --encoding big5, --encoding latin-1 or --encoding shift_jis"),
    # ISO-2022-JP is 7-bit: it would pass for UTF-8, and its byte pairs hold commas
    (b"order_no,service_type,note\nA1,install,\x1b$BN,\x1b(B\n",
     "Japanese text in ISO-2022-JP (JIS): pass --encoding iso2022_jp"),
    ("order_no,service_type\nA1,repair\n".encode("utf-16-le"),
     "UTF-16 text without a byte-order mark: pass --encoding utf-16-le (or utf-16-be)"),
])
def test_other_encodings_are_refused_with_the_option_that_reads_them(cli, tmp_path, data, message):
    path = tmp_path / "f.csv"
    path.write_bytes(data)
    assert imported(cli, path) == (1, f"Error: {path}: {message}")


def test_an_encoding_error_in_a_cr_only_file_names_its_line(cli, tmp_path):
    rows = ["order_no,service_type"] + [f"X{i},repair" for i in range(1, 7001)]
    rows[6000] = "X6000,repair,Jos\xe9"
    path = tmp_path / "cr.csv"
    path.write_bytes(("\r".join(rows) + "\r").encode("latin-1"))
    assert imported(cli, path) == (1, f"Error: {path}: line 6001: not valid utf-8 text; pass --encoding")


def test_a_json_null_says_what_it_is(cli, tmp_path):
    assert imported(cli, write(tmp_path / "n.json", "null")) == (
        1, f"Error: {tmp_path / 'n.json'}: expected a JSON array of objects")


def test_a_wrappers_other_members_are_named(cli, tmp_path):
    path = write(tmp_path / "w.json", '{"data": [{"order_no": "A1", "service_type": "install"}], "batch": "B-7"}')
    r = cli("import", path)
    assert r.exit_code == 0
    assert f"Warning: {path}: the rows are 'data'; the file's other members are not rows and were not imported: " \
           '{"batch": "B-7"}' in r.stderr.splitlines()


def test_a_nul_in_a_cell_is_the_cells_not_the_files(cli, tmp_path):
    """A UTF-8 CSV with a NUL byte in one cell was refused whole as "not a text file"."""
    import json

    rows = "order_no,service_type,note\n" + "".join(f"N{i},repair,ok\n" for i in range(200)) + "N200,repair,a\0b\n"
    path = tmp_path / "nul.csv"
    path.write_bytes(rows.encode())
    r = cli("import", path, "-f", "json")
    assert (r.exit_code, json.loads(r.stdout)[0]["inserted"]) == (0, 201)
    assert json.loads(cli("show", "N200", "-f", "json").stdout)["order"]["note"] == "a\0b"


def test_latin_1_accents_are_not_taken_for_traditional_chinese(cli, tmp_path):
    """frictionless' table-with-accents.csv: Année read as GBK is 閑, whose simplified 闲 is common."""
    path = tmp_path / "accents.csv"
    path.write_bytes("order_no;service_type;Année\n".encode("latin-1")
                     + b"".join(f"A{i};repair;{2013 + i % 3}\n".encode() for i in range(60))
                     + "A99;repair;déjà\n".encode("latin-1"))
    code, last = imported(cli, path)
    assert code == 1 and "cannot tell the text encoding" in last


def test_traditional_chinese_in_gbk_is_read(cli, tmp_path):
    rows = ["工單號,服務類型,客戶,地址"] + [f"T{i},維修,陳偉強,臺灣高雄市前鎮區" for i in range(40)]
    path = tmp_path / "trad.csv"
    path.write_bytes("\n".join(rows).encode("gb18030"))
    assert cli("import", path).exit_code == 0
    assert '"customer": "陳偉強"' in cli("show", "T1", "-f", "json").stdout
