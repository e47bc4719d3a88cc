// The Mini App configurator (served by bot/miniapp.py). Plain JavaScript, no library.
// Telegram's telegram-web-app.js may be missing (offline, outside Telegram): every use of
// window.Telegram.WebApp is guarded, and without it the page says to open it in Telegram.
"use strict";

(function () {
  const MAX_ORDERS = 20000; // the slider's end; the number field takes more
  const FIELD_MAX_ORDERS = 1000000;
  const DEBOUNCE_MS = 150;
  const STRINGS = JSON.parse(document.getElementById("strings").textContent);
  const CONFIG = JSON.parse(document.getElementById("config").textContent);
  const tg = (window.Telegram && window.Telegram.WebApp) || null;
  const initData = (tg && tg.initData) || "";

  let lang = pickLanguage(tg && tg.initDataUnsafe && tg.initDataUnsafe.user &&
                          tg.initDataUnsafe.user.language_code);
  let values = {};
  let estimated = new Set(); // the dialogue's fields still at their default (估算)
  let sequence = 0; // answers older than the newest request are dropped
  let timer = null;
  let saving = false;

  function pickLanguage(code) {
    const key = String(code || "").toLowerCase().replace("_", "-");
    if (key.startsWith("en")) return "en";
    if (["zh-tw", "zh-hk", "zh-mo", "zh-hant"].some((tag) => key.startsWith(tag))) return "zh-TW";
    return "zh-CN";
  }
  const s = () => STRINGS[lang] || STRINGS["zh-CN"];
  const $ = (id) => document.getElementById(id);

  // --- Telegram's theme → CSS variables -------------------------------------------------
  function applyTheme() {
    const root = document.documentElement;
    const params = (tg && tg.themeParams) || {};
    const names = {
      bg_color: "--bg", text_color: "--text", hint_color: "--hint", link_color: "--link",
      button_color: "--button", button_text_color: "--button-text",
      secondary_bg_color: "--card", section_bg_color: "--section",
      accent_text_color: "--accent", destructive_text_color: "--danger",
    };
    for (const [name, variable] of Object.entries(names)) {
      if (params[name]) root.style.setProperty(variable, params[name]);
      else root.style.removeProperty(variable);
    }
    const scheme = (tg && tg.colorScheme) ||
      (window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
    root.dataset.scheme = scheme;
  }

  // --- building the controls ------------------------------------------------------------
  function sliderToOrders(position) {
    return Math.max(1, Math.round(Math.exp((position / 1000) * Math.log(MAX_ORDERS))));
  }
  function ordersToSlider(orders) {
    return Math.round((Math.log(Math.min(Math.max(orders, 1), MAX_ORDERS)) /
                       Math.log(MAX_ORDERS)) * 1000);
  }

  function group(field, label, body, estimateKey) {
    const wrap = document.createElement("fieldset");
    wrap.className = "control";
    wrap.dataset.field = estimateKey || field;
    const legend = document.createElement("legend");
    const name = document.createElement("span");
    name.textContent = label;
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = s().estimate;
    legend.append(name, badge);
    wrap.append(legend, body);
    return wrap;
  }

  function chips(field, options, multiple) {
    const box = document.createElement("div");
    box.className = "chips";
    box.setAttribute("role", multiple ? "group" : "radiogroup");
    for (const [value, label] of Object.entries(options)) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.dataset.field = field;
      chip.dataset.value = value;
      chip.textContent = label;
      chip.setAttribute(multiple ? "aria-pressed" : "aria-checked", "false");
      if (!multiple) chip.setAttribute("role", "radio");
      chip.addEventListener("click", () => pick(field, value, multiple));
      box.append(chip);
    }
    return box;
  }

  function numberField(id, min, max, placeholder) {
    const input = document.createElement("input");
    input.type = "number";
    input.inputMode = "numeric";
    input.id = id;
    input.min = String(min);
    input.max = String(max);
    input.step = "1";
    if (placeholder) input.placeholder = placeholder;
    return input;
  }

  function build() {
    const text = s();
    document.documentElement.lang = text.lang;
    document.title = text.title;
    for (const node of document.querySelectorAll("[data-text]")) {
      node.textContent = text[node.dataset.text] || "";
    }
    const form = $("controls");
    form.replaceChildren();

    // Daily orders: a log-scale slider (1–20,000) and a number field.
    const row = document.createElement("div");
    row.className = "orders";
    const slider = document.createElement("input");
    slider.type = "range";
    slider.id = "orders-slider";
    slider.min = "0";
    slider.max = "1000";
    slider.step = "1";
    slider.setAttribute("aria-label", text.fields.orders);
    const number = numberField("orders", 1, FIELD_MAX_ORDERS);
    number.setAttribute("aria-label", text.fields.orders);
    const unit = document.createElement("span");
    unit.className = "unit";
    unit.textContent = text.per_day;
    slider.addEventListener("input", () => {
      const orders = sliderToOrders(Number(slider.value));
      number.value = String(orders);
      set("orders", orders, "orders");
    });
    number.addEventListener("input", () => {
      const orders = Math.round(Number(number.value));
      if (!Number.isFinite(orders) || orders < 1 || orders > FIELD_MAX_ORDERS) {
        number.setAttribute("aria-invalid", "true");
        return;
      }
      number.removeAttribute("aria-invalid");
      slider.value = String(ordersToSlider(orders));
      set("orders", orders, "orders");
    });
    const numberBox = document.createElement("div");
    numberBox.className = "number";
    numberBox.append(number, unit);
    row.append(slider, numberBox);
    form.append(group("orders", text.fields.orders, row));

    form.append(group("kinds", text.fields.kinds, chips("kinds", text.options.kinds, true)));

    const categories = numberField("categories", 1, 1000);
    categories.setAttribute("aria-label", text.fields.categories);
    categories.addEventListener("input", () => {
      const count = Math.round(Number(categories.value));
      if (!Number.isFinite(count) || count < 1 || count > 1000) {
        categories.setAttribute("aria-invalid", "true");
        return;
      }
      categories.removeAttribute("aria-invalid");
      set("categories", count, "categories");
    });
    const categoriesBox = document.createElement("div");
    categoriesBox.className = "number";
    const categoriesUnit = document.createElement("span");
    categoriesUnit.className = "unit";
    categoriesUnit.textContent = text.categories_unit;
    categoriesBox.append(categories, categoriesUnit);
    form.append(group("categories", text.fields.categories, categoriesBox));

    form.append(group("flags", text.fields.flags, chips("flags", text.options.flags, true)));
    form.append(group("response", text.fields.response,
                      chips("response", text.options.response, false)));
    if (CONFIG.hours.length) {
      form.append(group("hours", text.fields.hours, chips("hours", text.options.hours, false)));
    }
    for (const field of ["scope", "tooling", "ai", "mode", "volume", "billing"]) {
      form.append(group(field, text.fields[field], chips(field, text.options[field], false)));
    }

    const budget = numberField("budget", 1, 10000000, text.budget_none);
    budget.setAttribute("aria-label", text.fields.budget);
    budget.addEventListener("input", () => {
      const amount = budget.value.trim() === "" ? null : Math.round(Number(budget.value));
      if (amount !== null && (!Number.isFinite(amount) || amount < 1 || amount > 10000000)) {
        budget.setAttribute("aria-invalid", "true");
        return;
      }
      budget.removeAttribute("aria-invalid");
      set("budget", amount, "budget");
    });
    form.append(group("budget", text.fields.budget, budget));
    form.addEventListener("submit", (event) => event.preventDefault());
    show();
  }

  // --- state → controls -----------------------------------------------------------------
  function show() {
    const orders = Number(values.orders || 1);
    const slider = $("orders-slider");
    const number = $("orders");
    if (slider && document.activeElement !== number) {
      number.value = String(orders);
    }
    if (slider && document.activeElement !== slider) slider.value = String(ordersToSlider(orders));
    const categories = $("categories");
    if (categories && document.activeElement !== categories) {
      categories.value = String(values.categories || 1);
    }
    const budget = $("budget");
    if (budget && document.activeElement !== budget) {
      budget.value = values.budget == null ? "" : String(values.budget);
    }
    for (const chip of document.querySelectorAll(".chip")) {
      const { field, value } = chip.dataset;
      let on;
      if (field === "kinds") on = (values.kinds || []).includes(value);
      else if (field === "flags") on = Boolean(values[value]);
      else on = String(values[field]) === value;
      chip.classList.toggle("on", on);
      chip.setAttribute(chip.hasAttribute("aria-pressed") ? "aria-pressed" : "aria-checked",
                        on ? "true" : "false");
    }
    for (const control of document.querySelectorAll(".control")) {
      control.classList.toggle("estimated", estimated.has(control.dataset.field));
    }
    $("estimates-note").hidden = estimated.size === 0;
  }

  function set(field, value, estimateKey) {
    values[field] = value;
    estimated.delete(estimateKey || field);
    show();
    schedule();
  }

  function pick(field, value, multiple) {
    if (field === "kinds") {
      const kinds = new Set(values.kinds || []);
      if (kinds.has(value)) kinds.delete(value); else kinds.add(value);
      set("kinds", [...kinds].sort(), "kinds");
    } else if (field === "flags") {
      set(value, !values[value], "flags");
    } else if (field === "hours") {
      set("hours", Number(value), "hours");
    } else if (!multiple) {
      set(field, value, field);
    }
    if (tg && tg.HapticFeedback && tg.HapticFeedback.selectionChanged) {
      tg.HapticFeedback.selectionChanged();
    }
  }

  // --- the API ----------------------------------------------------------------------------
  async function call(path, extra) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ init_data: initData, ...extra }),
    });
    let body = {};
    try { body = await response.json(); } catch (error) { body = {}; }
    if (!response.ok) throw new Error(body.error || s().offline);
    return body;
  }

  function inquiry() {
    const sent = {};
    for (const field of CONFIG.fields) {
      if (values[field] !== undefined) sent[field] = values[field];
    }
    return sent;
  }

  function schedule() {
    clearTimeout(timer);
    $("app").setAttribute("aria-busy", "true");
    timer = setTimeout(reprice, DEBOUNCE_MS);
  }

  async function reprice() {
    const mine = ++sequence;
    try {
      const body = await call("/app/api/quote", { inquiry: inquiry(), estimated: [...estimated] });
      if (mine !== sequence) return;
      // Estimates follow the answers (categories: one per kind sold…); the rest stays.
      for (const [field, value] of Object.entries(body.values || {})) {
        if (isEstimated(field)) values[field] = value;
      }
      render(body.view);
      notice("");
    } catch (error) {
      if (mine === sequence) notice(error.message);
    } finally {
      if (mine === sequence) $("app").setAttribute("aria-busy", "false");
    }
  }

  function isEstimated(field) {
    const key = field === "multi_level" || field === "cross_border" ? "flags" : field;
    return estimated.has(key);
  }

  function notice(text) {
    const node = $("notice");
    node.textContent = text;
    node.hidden = !text;
  }

  function list(id, items) {
    const node = $(id);
    node.replaceChildren(...items.map((item) => {
      const li = document.createElement("li");
      li.textContent = item;
      return li;
    }));
  }

  function render(view) {
    if (!view) return;
    show();
    $("monthly").textContent = view.monthly;
    $("plan").textContent = `${view.plan} · ${view.scope}`;
    $("coverage").textContent = view.coverage || "";
    $("coverage").hidden = !view.coverage;
    $("per-order").textContent = view.per_order;
    $("per-hour").textContent = view.per_hour;
    $("break-even").textContent = view.break_even;
    list("recommendations", view.recommendations);
    list("warnings", view.warnings);
    list("assumptions", view.assumptions.map((item) => `* ${item}`));
    const budget = $("budget-fit");
    budget.textContent = view.budget || "";
    budget.hidden = !view.budget;
    const table = $("lines");
    table.replaceChildren(...view.lines.map((line) => {
      const tr = document.createElement("tr");
      const label = document.createElement("td");
      label.textContent = line.estimated ? `${line.label} *` : line.label;
      const amount = document.createElement("td");
      amount.textContent = line.amount;
      tr.append(label, amount);
      return tr;
    }));
  }

  async function save() {
    if (saving) return;
    saving = true;
    const text = s();
    const main = tg && tg.MainButton;
    if (main && main.showProgress) main.showProgress(false);
    $("save").disabled = true;
    try {
      clearTimeout(timer);
      const body = await call("/app/api/save", { inquiry: inquiry(), estimated: [...estimated] });
      notice(text.saved.replace("{version}", body.version).replace("{id}", body.id));
      if (tg && tg.HapticFeedback && tg.HapticFeedback.notificationOccurred) {
        tg.HapticFeedback.notificationOccurred("success");
      }
      // The quote is in the chat now, with its buttons: that is where it goes on.
      if (tg && tg.close) setTimeout(() => tg.close(), 1200);
    } catch (error) {
      notice(error.message);
    } finally {
      saving = false;
      if (main && main.hideProgress) main.hideProgress();
      $("save").disabled = false;
    }
  }

  function setUpButtons() {
    const text = s();
    const main = tg && tg.MainButton;
    if (main) {
      if (main.setParams) main.setParams({ text: text.save, is_visible: true, is_active: true });
      else { main.setText(text.save); main.show(); }
      main.onClick(save);
      $("save").hidden = true;
    } else {
      $("save").textContent = text.save;
      $("save").hidden = false;
    }
    const back = tg && tg.BackButton;
    if (back) {
      back.onClick(() => {
        const details = $("breakdown");
        if (details.open) details.open = false; // first back: fold the breakdown
        else if (tg.close) tg.close(); // then back to the chat
      });
      back.show();
    }
  }

  async function start() {
    applyTheme();
    build();
    $("save").addEventListener("click", save);
    if (tg) {
      if (tg.onEvent) tg.onEvent("themeChanged", applyTheme);
      if (tg.ready) tg.ready();
      if (tg.expand) tg.expand();
    }
    if (!initData) {
      notice(s().open_in_telegram);
      $("app").setAttribute("aria-busy", "false");
      return;
    }
    notice(s().loading);
    try {
      const body = await call("/app/api/me", {});
      if (body.locale && STRINGS[body.locale] && body.locale !== lang) {
        lang = body.locale;
        build();
      }
      values = body.values;
      estimated = new Set(body.estimated || []);
      render(body.view);
      notice("");
      setUpButtons();
    } catch (error) {
      notice(error.message);
    } finally {
      $("app").setAttribute("aria-busy", "false");
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
