// What the page remembers. Only sessionStorage (this tab only): the resume token, the last
// counsellor seq, the transcript and unsent messages, so a reload within the resume window
// continues the chat.

const KEY = "c1712.chat";

function load() {
  try {
    const raw = sessionStorage.getItem(KEY);
    const value = raw ? JSON.parse(raw) : null;
    return value && typeof value.token === "string" && Array.isArray(value.log) ? value : null;
  } catch (_) {
    return null;
  }
}

/** The page's state. `saved` is the current chat (or null); `phase` is one of
 * intro | starting | resuming | chat | ended | exiting; `welcome` the last welcome frame. */
export const state = {
  saved: load(),
  phase: "intro",
  welcome: null,
};

/** A new chat, as the relay's `queued` frame announces it. */
export function newChat(frame) {
  state.saved = {
    token: frame.resume, chat: frame.chat, lastSeq: 0, counsellor: null,
    position: frame.position, log: [], outbox: [],
  };
  save();
}

export function save() {
  try {
    if (state.saved) sessionStorage.setItem(KEY, JSON.stringify(state.saved));
  } catch (_) {
    // A full or disabled storage only costs the resume after a reload.
  }
}

export function forget() {
  state.saved = null;
  try {
    sessionStorage.removeItem(KEY);
  } catch (_) {
    // nothing to clear
  }
}

/** Everything this page stored, gone (quick exit). */
export function forgetAll() {
  state.saved = null;
  try {
    sessionStorage.clear();
  } catch (_) {
    // nothing stored
  }
}

export function randomId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
