from setuptools import setup

setup(
    name="callbackctl",
    version="0.1.0",
    description="After-sales callback desk toolkit over one SQLite file",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    # cli/ and migrations/ live at the top level of the repository but install
    # inside the package, so no top-level `cli` or `migrations` module exists.
    packages=["callbackctl", "callbackctl.cli", "callbackctl.migrations", "callbackctl.fixtures", "callbackctl.store"],
    package_dir={
        "callbackctl": "callbackctl",
        "callbackctl.cli": "cli",
        "callbackctl.migrations": "migrations",
        "callbackctl.fixtures": "fixtures",
    },
    package_data={"callbackctl.fixtures": ["*.csv", "*.tsv", "*.json", "*.jsonl", "*.toml"],
                  # the Chinese catalogue: the .mo is what gettext reads, the .po its source
                  "callbackctl": ["locale/*/LC_MESSAGES/*.mo", "locale/*/LC_MESSAGES/*.po"]},
    install_requires=[
        # typer 0.29 converts option values through pydantic, imported on the
        # first conversion: about 90 ms and 14 MiB more for every command that
        # takes an option (due 0.283 s against 0.181 s on 1M orders, paired).
        # 0.28 has the same public API without it.
        "typer>=0.12,<0.29",
        "sqlite-utils>=4",
        "tabulate>=0.9",
        "wcwidth",  # tabulate and the charts align Chinese text by its display width
        "python-dateutil>=2.8",
        # Official Chinese public holidays and make-up working days (调休), kept up
        # to date by its maintainers each year: not something to hand-maintain here.
        "chinesecalendar>=1.9",
        # For a year chinesecalendar has no data for yet: the lunar dates (除夕, 端午,
        # 中秋) and the 清明 solar term of its statutory holidays (holidays.py). Chosen
        # over lunardate (GPL-3, no solar terms, years before 2100 only) and cnlunar
        # (an almanac, years 1901-2100): MIT, no dependencies, solar terms computed
        # for every year import accepts (1900-2200), maintained (1.4.8, 2025).
        # Imported only for such a year: 8-17 ms and 1.5 MiB, then ~7 ms a year.
        "lunar-python>=1.4",
        "tzdata",
        # Workbooks (.xlsx, .xls, .ods) as dealers' systems export them: a
        # maintained reader in Rust, typed cells, no hand-written XML parsing.
        "python-calamine>=0.9",
        # `work`, the agent's session: keys read one at a time, line editing that
        # knows Chinese input and display widths, over SSH on any VT100 terminal.
        # Chosen over Textual: it prints into the terminal's own scrollback (the
        # agent scrolls back to the last customer), needs no full-screen redraws
        # over a slow link, and is pure Python on the wcwidth we already have.
        # Imported only by `work`.
        "prompt_toolkit>=3.0.36",
        # Writing workbooks (-f xlsx --output FILE) for the desks who live in Excel:
        # typed cells (a phone stays text, a time is a date), a frozen header and an
        # autofilter, streamed row by row in flat memory (constant_memory mode).
        # Pure Python, no dependencies; imported only when a workbook is written.
        # The tests also use it to make the workbooks `import` reads.
        "XlsxWriter>=3",
        # Taiwan and Hong Kong dealers' files (Big5) name columns and service types in
        # traditional characters (工單號, 維修): OpenCC's own tables turn them into the
        # simplified words callbackctl knows, rather than a hand-kept list. Imported only
        # when a header or word is not found as it is (20 ms).
        "opencc>=1.1",
    ],
    # openpyxl reads back the workbooks callbackctl writes (tests/test_excel_output.py).
    extras_require={
        # `pip install 'callbackctl[fast]'`: bulk imports read and converted vectorised (fastimport.py),
        # and a wide report's orders and calls counted by a child process (fastreport.py).
        "fast": [
            # Reads a million-row CSV in blocks on every core and converts whole columns at once
            # (times, phones, numbers, vocabulary) where the result provably equals normalize's;
            # hands its columns over as Arrow without pyarrow. Groups a year's orders and calls on
            # every core (SQLite sorts them, 4 s of a year's report). Imported only for those.
            "polars>=2.1",  # the version the differential tests ran on
            # Writes the converted columns to a scratch SQLite file with Arrow arrays bound in C:
            # Python's sqlite3 binding alone cost 6.4 s per million rows of 28 cells. The report's
            # child reads a year's orders and calls through it in 1.2 s. In this process the desk is
            # only ever opened by sqlite3 (ADBC bundles its own SQLite: see fastimport.py).
            "adbc-driver-sqlite>=1.13",
        ],
        "test": ["pytest>=7", "hypothesis>=6",
                             # drive `work` in a real pseudo-terminal and read its screen as a terminal would
                             "pexpect>=4.8; sys_platform != 'win32'", "pyte>=0.8",
                             # reads the Chinese catalogue's source to check the compiled one
                             "babel>=2.12", "openpyxl>=3.1"],
    },
    entry_points={"console_scripts": ["callbackctl=callbackctl.cli:main"]},
)
