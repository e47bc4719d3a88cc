"""What the bot does, free of Telegram, the web and the terminal: saving and sharing quotes,
hand-offs, links, and the effects of a dialogue screen. Handlers take their dependencies and
return what to say; the front-ends deliver it."""
