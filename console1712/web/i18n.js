// Words and limits, all from the relay: the page data embedded in index.html
// (console1712/web/__init__.py builds it from console1712/i18n/web.py, the protocol's limits
// and the relay's settings). Nothing here repeats a word or a limit.

const data = JSON.parse(document.getElementById("page-data").textContent);
const LOCALES = { nl: "nl-BE", en: "en-GB" };
const LANG_KEY = "c1712.lang";

/** Limits, regions, exit URL and resume window, as the relay sent them. */
export const config = data;

let lang = data.lang;

export function currentLang() {
  return lang;
}

/** The other language of the switch. */
export function otherLang() {
  return data.langs.find((code) => code !== lang) || lang;
}

export function formatWhen(at) {
  const when = new Date(at);
  if (Number.isNaN(when.getTime())) return "";
  const locale = LOCALES[lang] || lang;
  const day = new Intl.DateTimeFormat(locale, {
    timeZone: data.timezone, weekday: "long", day: "numeric", month: "long",
  }).format(when);
  const time = new Intl.DateTimeFormat(locale, {
    timeZone: data.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(when);
  return t("web.when", { day, time });
}

/** The text for `key` in the current language, `{name}` fields filled from `vars`
 * (a value `{at: RFC3339}` is a moment, written out in the current language). */
export function t(key, vars = {}, code = lang) {
  const words = data.texts[code] || data.texts[data.lang];
  const text = words[key] ?? data.texts.nl[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in vars)) return whole;
    const value = vars[name];
    return value && typeof value === "object" && "at" in value ? formatWhen(value.at) : String(value);
  });
}

/** Show a text in `el` and remember its key, so a language switch can show it again. */
export function setText(el, key, vars) {
  if (!key) {
    delete el.dataset.t;
    delete el.dataset.vars;
    el.textContent = "";
    return;
  }
  el.dataset.t = key;
  if (vars) el.dataset.vars = JSON.stringify(vars);
  else delete el.dataset.vars;
  el.textContent = t(key, vars || {});
}

function fillAll() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-t]")) {
    el.textContent = t(el.dataset.t, el.dataset.vars ? JSON.parse(el.dataset.vars) : {});
  }
  for (const el of document.querySelectorAll("[data-t-placeholder]")) {
    el.placeholder = t(el.dataset.tPlaceholder);
  }
  for (const el of document.querySelectorAll("[data-t-label]")) {
    el.setAttribute("aria-label", t(el.dataset.tLabel));
  }
  const other = otherLang();
  const button = document.getElementById("lang-switch");
  button.lang = other;
  button.textContent = t("web.lang_switch", {}, other);
  button.title = t("web.lang_switch_hint", {}, other);
  button.hidden = other === lang;
}

/** Switch every text on the page to `code` (kept for this tab, across reloads). */
export function useLang(code, remember = true) {
  if (!data.texts[code]) return;
  lang = code;
  if (remember) {
    try {
      sessionStorage.setItem(LANG_KEY, code);
    } catch (_) {
      // Without storage the choice lasts until the next reload.
    }
  }
  fillAll();
}

/** Start in the language chosen earlier in this tab, else the one the relay picked. */
export function initLang() {
  let chosen = null;
  try {
    chosen = sessionStorage.getItem(LANG_KEY);
  } catch (_) {
    chosen = null;
  }
  useLang(chosen && data.texts[chosen] ? chosen : data.lang, false);
}
