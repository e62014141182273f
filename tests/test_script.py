"""The call script: the built-in texts, a desk's own file over them, and what is refused."""

import pytest

from callbackctl import script
from callbackctl.errors import PolicyError


def test_the_builtin_script_fills_every_word_it_names():
    s = script.load()
    for lang in script.LANGS:
        for name, text in s.texts[lang].items():
            assert script.placeholder_error(text) is None, (lang, name)
    assert s.questions["paid_repair"] == ("on_site", "hours", "times", "parts", "fee", "location")


def test_a_desk_file_changes_only_what_it_names(tmp_path):
    own = tmp_path / "own.toml"
    own.write_bytes("\ufeff[zh]\ngreeting = \"您好，这里是{company}，{agent}。\"\n[questions]\ninstall = [\"on_site\"]\n"
                    .encode("utf-8"))  # with a BOM, as Notepad saves it
    s = script.load(str(own))
    assert s.texts["zh"]["greeting"] == "您好，这里是{company}，{agent}。"
    assert s.texts["zh"]["closing"] == script.load().texts["zh"]["closing"]
    assert s.questions["install"] == ("on_site",)
    lines = s.lines("zh", "install", {"company": "鑫源", "agent": "王芳"})
    assert [n for n, _ in lines] == ["greeting", "on_site", "scores", "closing"]
    assert lines[0][1] == "您好，这里是鑫源，王芳。"


@pytest.mark.parametrize("text, error", [
    ('[zh]\ngreeting = "您好{custmer}"\n', "zh.greeting: {custmer} is not a word the script can fill"),
    ('[zh]\ngreeting = "{company.upper}"\n', "zh.greeting: {company.upper} is not a word the script can fill"),
    ('[zh]\ngreeting = "{0}"\n', "zh.greeting: {0} is not a word the script can fill"),
    ('[zh]\ngreeting = "a { b"\n', "zh.greeting: expected '}' before end of string (write a brace itself as {{ or }})"),
    ('[zh]\ngreeting = 5\n', "zh.greeting: must be text in quotes"),
    ('[zh]\ngreting = "hi"\n', "zh.greting: unknown text (use greeting, on_site"),
    ('[fr]\ngreeting = "hi"\n', "unknown table [fr] (use [questions], [zh] or [en])"),
    ('[questions]\ninstall = ["hours", "colour"]\n', "questions.install: must be a list of on_site, hours"),
    ('[questions]\nrocket = ["hours"]\n', "questions.rocket: not a service type"),
    ('[zh\n', "not valid TOML"),
])
def test_what_a_desk_file_may_not_say(tmp_path, text, error):
    own = tmp_path / "own.toml"
    own.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as e:
        script.load(str(own))
    assert str(e.value).startswith(f"script: {own}: ") and error in str(e.value)


def test_a_gbk_file_is_named_not_guessed(tmp_path):
    own = tmp_path / "own.toml"
    own.write_bytes('[zh]\ngreeting = "您好"\n'.encode("gbk"))
    with pytest.raises(PolicyError, match=r"not UTF-8 text \(save it as UTF-8\)$"):
        script.load(str(own))


def test_policy_names_the_script_beside_itself(tmp_path, cli, monkeypatch):
    (tmp_path / "desk").mkdir()
    (tmp_path / "desk" / "own.toml").write_text('[zh]\ngreeting = "您好"\n', encoding="utf-8")
    policy = tmp_path / "desk" / "p.toml"
    policy.write_text('[desk]\nscript = "own.toml"\n', encoding="utf-8")
    r = cli("policy", "check", str(policy))
    assert (r.exit_code, r.stderr) == (0, f"{policy}: OK\n")
    r = cli("policy", "load", str(policy))  # stored, it is read from any folder: a full path is needed
    assert (r.exit_code, r.stderr) == (
        2, f"Error: {policy}: [desk] script = 'own.toml': give its full path ({tmp_path / 'desk' / 'own.toml'}), "
           "as the stored policy is read from any folder\n")
    (tmp_path / "desk" / "own.toml").write_text('[zh]\ngreeting = "您好{custmer}"\n', encoding="utf-8")
    r = cli("policy", "check", str(policy))
    assert r.exit_code == 1 and "{custmer} is not a word the script can fill" in r.stderr
