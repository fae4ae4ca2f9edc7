// What the chatter sees: the sections, the status lines, the transcript. Everything from the
// relay is shown with textContent, never as HTML; every word comes from i18n.js.

import { setText, t } from "./i18n.js";
import { state } from "./state.js";

const TYPING_SHOWN = 5000; // ms the counsellor's typing indicator stays visible

const $ = (id) => document.getElementById(id);
let typingTimer = 0;

export { $ };

export function show(id, visible) {
  $(id).hidden = !visible;
}

export function focusOn(id) {
  const el = $(id);
  if (el) el.focus();
}

/** The connection line at the top (empty: nothing to say). */
export function setStatus(key, vars) {
  setText($("connection"), key, vars);
}

function safeUrl(text, schemes) {
  try {
    const url = new URL(String(text), location.href);
    return schemes.includes(url.protocol) ? url.href : "";
  } catch (_) {
    return "";
  }
}

// -- welcome ----------------------------------------------------------------------------

/** The welcome section: opening state, the form while open, a notice (key) if any. */
export function showIntro(notice, vars) {
  show("chat", false);
  show("ended", false);
  show("welcome", true);
  const note = $("notice");
  setText(note, notice, vars);
  note.hidden = !notice;
  const welcome = state.welcome;
  const open = welcome ? Boolean(welcome.open) : false;
  if (!welcome) {
    setText($("open-state"), "web.connecting");
  } else if (open) {
    setText($("open-state"), "web.open");
  } else if (welcome.next_open) {
    setText($("open-state"), "web.closed_next", { when: { at: welcome.next_open } });
  } else {
    setText($("open-state"), "web.closed");
  }
  show("start-form", open);
  if (welcome && !open) {
    showAlternatives(welcome.alternatives);
  } else {
    show("alternatives", false);
  }
}

export function consentMissing() {
  $("consent-error").hidden = false;
  $("consent").setAttribute("aria-invalid", "true");
  focusOn("consent");
}

export function consentGiven() {
  $("consent-error").hidden = true;
  $("consent").removeAttribute("aria-invalid");
}

export function intakeError(key, vars) {
  const el = $("intake-error");
  setText(el, key, vars);
  el.hidden = !key;
}

// -- the chat ---------------------------------------------------------------------------

export function showChat(fresh) {
  show("welcome", false);
  show("ended", false);
  show("alternatives", false);
  show("compose", true);
  show("chat", true);
  renderTranscript();
  updateChatState();
  if (fresh || document.activeElement === document.body) focusOn("message");
}

export function updateChatState() {
  const saved = state.saved;
  if (!saved) return;
  const el = $("chat-state");
  if (saved.counsellor) {
    setText(el, "web.talking", { name: saved.counsellor });
  } else if (saved.position) {
    setText(el, "web.queued_at", { position: saved.position });
  } else {
    setText(el, "web.queued");
  }
}

/** The other ways to get help; labels in the page's language where the relay names the kind. */
export function showAlternatives(list) {
  const ul = $("alternatives-list");
  ul.replaceChildren();
  for (const alt of Array.isArray(list) ? list : []) {
    if (!alt || typeof alt.label !== "string") continue;
    const li = document.createElement("li");
    const href = safeUrl(alt.contact, ["tel:", "mailto:", "https:", "http:"]);
    const label = document.createElement(href ? "a" : "span");
    if (href) {
      label.href = href;
      label.rel = "noopener noreferrer";
    }
    const key = typeof alt.kind === "string" ? `alt.${alt.kind}` : "";
    if (key && t(key) !== key) setText(label, key);
    else label.textContent = alt.label;
    li.append(label);
    ul.append(li);
  }
  show("alternatives", ul.children.length > 0);
}

/** The end of a chat (or a refused start): why, and the other ways to get help. */
export function showEnded(key, vars, alternatives, canRestart = true) {
  hideTyping();
  show("welcome", false);
  show("compose", false);
  setText($("ended-reason"), key, vars);
  show("restart", canRestart);
  show("ended", true);
  showAlternatives(alternatives);
  focusOn("ended-title");
}

// -- transcript ---------------------------------------------------------------------------

export function clearTranscript() {
  $("messages").replaceChildren();
}

function scrollDown() {
  const box = $("transcript");
  box.scrollTop = box.scrollHeight;
}

export function renderTranscript() {
  const saved = state.saved;
  $("messages").replaceChildren(...(saved ? saved.log.map(entryElement) : []));
  scrollDown();
}

/** Add an entry ({kind: me|them|system, ...}) to the chat and show it. */
export function addEntry(entry) {
  state.saved.log.push(entry);
  $("messages").append(entryElement(entry));
  scrollDown();
}

function entryElement(entry) {
  const li = document.createElement("li");
  li.className = `msg ${entry.kind}`;
  if (entry.id) li.dataset.id = entry.id;
  if (entry.kind !== "system") {
    const who = document.createElement("span");
    who.className = "who";
    if (entry.kind === "me") setText(who, "web.me");
    else if (entry.who) who.textContent = entry.who;
    else setText(who, "web.counsellor");
    const sep = document.createElement("span");
    sep.className = "visually-hidden";
    sep.textContent = ": ";
    li.append(who, sep);
  }
  const text = document.createElement("p");
  text.className = "text";
  if (entry.key) setText(text, entry.key, entry.vars);
  else text.textContent = entry.text;
  li.append(text);
  if (entry.kind === "me") {
    const note = document.createElement("span");
    note.className = "state";
    li.append(note);
    fillState(li, entry);
  }
  return li;
}

function fillState(li, entry) {
  li.dataset.state = entry.state;
  const notes = { pending: "web.pending", sent: "web.sent" };
  setText(li.querySelector(".state"), entry.note || notes[entry.state], entry.noteVars);
}

export function updateEntry(entry) {
  for (const li of $("messages").querySelectorAll("li.me")) {
    if (li.dataset.id === entry.id) fillState(li, entry);
  }
}

export function showTyping() {
  const saved = state.saved;
  if (!saved || !saved.counsellor) return;
  setText($("typing"), "web.typing", { name: saved.counsellor });
  clearTimeout(typingTimer);
  typingTimer = setTimeout(hideTyping, TYPING_SHOWN);
}

export function hideTyping() {
  clearTimeout(typingTimer);
  setText($("typing"), null);
}
