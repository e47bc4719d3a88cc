"""The bad-input corpus: what people (and attackers) type. Run through both Telegram
front-ends (tests/test_telegram.py) and `kameng chat` (tests/test_cli_chat.py)."""

TEXTS: list[str] = [
    "1e30", "-5", "0", "3.7", "99999999999999999999", "-0", "0.0001",
    "３００单", "😀😀😀", "\u200b\u200b", "\u202e003\u202c", "x" * 10_000,
    "<b>300</b>", "<script>alert(1)</script>", "&amp; & &lt;", "*_[粗体](http://x)",
    "a\x00b", "'; DROP TABLE quotes;--", "\" OR 1=1 --", "=HYPERLINK(\"http://evil\")",
    "   ", "\n\n", "/", "/start@", "@kameng_test_bot",
]
