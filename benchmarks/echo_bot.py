"""A bare echo bot on the same framework and fake server: the baseline for bench_telegram.

Text → the same text back with one button; a button press → answered and the message
edited, also with one button. As many Bot API calls per update as the quote bot makes.
Run: python benchmarks/echo_bot.py aiogram|ptb  (TELEGRAM_BOT_TOKEN, TELEGRAM_API_BASE)
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys


def keyboard_rows(seq: int) -> list[list[tuple[str, str]]]:
    return [[("again", f"{seq}:echo")]]


async def run_aiogram(token: str, base: str) -> None:
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

    def markup(seq: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(
            text=label, callback_data=data) for label, data in row] for row in keyboard_rows(seq)])

    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(base)))
    dp = Dispatcher()
    counter = {"seq": 0}

    @dp.message()
    async def echo(message: Message) -> None:
        counter["seq"] += 1
        await bot.send_message(message.chat.id, message.text or "?", reply_markup=markup(
            counter["seq"]))

    @dp.callback_query()
    async def pressed(query: CallbackQuery) -> None:
        counter["seq"] += 1
        await bot.answer_callback_query(query.id)
        if query.message is not None:
            await bot.edit_message_text(text=f"pressed {counter['seq']}",
                                        chat_id=query.message.chat.id,
                                        message_id=query.message.message_id,
                                        reply_markup=markup(counter["seq"]))

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False,
                                                   polling_timeout=10,
                                                   tasks_concurrency_limit=64))
    await stop.wait()
    await dp.stop_polling()
    await polling


async def run_ptb(token: str, base: str) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

    def markup(seq: int) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                      for label, data in row] for row in keyboard_rows(seq)])

    app = (ApplicationBuilder().token(token).base_url(f"{base}/bot")
           .concurrent_updates(64).build())
    counter = {"seq": 0}

    async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        counter["seq"] += 1
        if update.callback_query is not None:
            query = update.callback_query
            await app.bot.answer_callback_query(query.id)
            if query.message is not None:
                await app.bot.edit_message_text(f"pressed {counter['seq']}",
                                                chat_id=query.message.chat.id,
                                                message_id=query.message.message_id,
                                                reply_markup=markup(counter["seq"]))
        elif update.message is not None:
            await app.bot.send_message(update.message.chat.id, update.message.text or "?",
                                       reply_markup=markup(counter["seq"]))

    app.add_handler(TypeHandler(Update, on_update))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(timeout=10)
        await stop.wait()
        await app.updater.stop()
        await app.stop()


def main() -> None:
    framework = sys.argv[1]
    token, base = os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_BASE"]
    asyncio.run(run_aiogram(token, base) if framework == "aiogram" else run_ptb(token, base))


if __name__ == "__main__":
    main()
