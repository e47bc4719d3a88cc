"""The Telegram side: what comes in, how replies go out, the conversation, both front-ends."""
