// The 1712 chat page: protocol v1 on /chat of the relay that served this page.
// This module handles the relay's frames and the chatter's actions; connection.js,
// state.js, view.js, i18n.js and exit.js do the rest.

import * as net from "./connection.js";
import { installQuickExit } from "./exit.js";
import { config, initLang, otherLang, useLang } from "./i18n.js";
import { forget, forgetAll, newChat, randomId, save, state } from "./state.js";
import {
  $, addEntry, clearTranscript, consentGiven, consentMissing, focusOn, hideTyping,
  intakeError, setStatus, show, showAlternatives, showChat, showEnded, showIntro, showTyping,
  updateChatState, updateEntry,
} from "./view.js";

const TYPING_EVERY = 3000; // ms between our `typing` frames while the chatter types
const limits = config.limits;
let lastTypingSent = 0;

// -- frames from the relay -------------------------------------------------------------

function handle(f) {
  const saved = state.saved;
  switch (f.type) {
    case "welcome":
      net.connected();
      state.welcome = f;
      setStatus(null);
      if (saved) {
        state.phase = "resuming";
        setStatus("web.resuming");
        net.send({ type: "resume", token: saved.token, after: saved.lastSeq || 0 });
      } else if (state.phase === "intro") {
        showIntro();
      }
      break;
    case "queued":
      newChat(f);
      state.phase = "chat";
      showChat(true);
      break;
    case "resumed":
      onResumed(f);
      break;
    case "queue":
      if (saved) {
        saved.position = f.position;
        save();
        updateChatState();
      }
      break;
    case "requeued":
      if (saved) {
        saved.counsellor = null;
        saved.position = f.position;
        hideTyping();
        addEntry({ kind: "system", key: "web.requeued" });
        save();
        updateChatState();
      }
      break;
    case "joined":
      if (saved) {
        saved.counsellor = String(f.counsellor);
        saved.position = null;
        addEntry({ kind: "system", key: "web.joined", vars: { name: saved.counsellor } });
        save();
        updateChatState();
      }
      break;
    case "message":
      onMessage(f);
      break;
    case "ack":
      onAck(f);
      break;
    case "typing":
      showTyping();
      break;
    case "ended":
      onEnded(f.by);
      break;
    case "error":
      onError(f);
      break;
    default:
      break; // newer relays may send more; ignore what we do not know
  }
}

function dropped() {
  if (state.phase === "ended" || state.phase === "exiting") return;
  if (state.phase === "starting" || state.phase === "resuming") {
    state.phase = state.saved ? "chat" : "intro";
  }
  setStatus("web.dropped");
  net.reconnectLater();
}

function onResumed(f) {
  const saved = state.saved;
  if (!saved) return;
  const before = saved.counsellor;
  saved.token = f.resume;
  saved.chat = f.chat;
  saved.counsellor = f.counsellor == null ? null : String(f.counsellor);
  saved.position = f.position;
  if (saved.counsellor && saved.counsellor !== before) {
    saved.log.push({ kind: "system", key: "web.joined", vars: { name: saved.counsellor } });
  }
  save();
  state.phase = "chat";
  setStatus(null);
  showChat(false);
  // Messages sent but not acknowledged before the drop: the same id is stored once.
  for (const item of saved.outbox) net.send({ type: "say", id: item.id, text: item.text });
}

function onMessage(f) {
  const saved = state.saved;
  if (!saved || typeof f.seq !== "number") return;
  if (f.seq <= (saved.lastSeq || 0)) return; // already shown (resume replays)
  saved.lastSeq = f.seq;
  hideTyping();
  addEntry({ kind: "them", who: saved.counsellor, text: String(f.text), seq: f.seq });
  save();
}

function onAck(f) {
  const saved = state.saved;
  if (!saved) return;
  const entry = saved.log.find((e) => e.kind === "me" && e.id === f.id);
  saved.outbox = saved.outbox.filter((item) => item.id !== f.id);
  if (entry) {
    entry.state = "sent";
    entry.seq = f.seq;
    updateEntry(entry);
  }
  save();
}

function onEnded(by) {
  const known = ["chatter", "counsellor", "timeout"];
  forget();
  state.phase = "ended";
  showEnded(`web.ended.${known.includes(by) ? by : "other"}`, null, state.welcome?.alternatives);
}

function onError(f) {
  switch (f.code) {
    case "expired":
      forget();
      state.phase = "intro";
      clearTranscript();
      showIntro("web.expired");
      break;
    case "consent_required":
      state.phase = "intro";
      consentMissing();
      break;
    case "closed":
      state.phase = "intro";
      state.welcome = Object.assign({}, state.welcome, {
        open: false, next_open: f.next_open,
        alternatives: f.alternatives || state.welcome?.alternatives,
      });
      showIntro();
      break;
    case "blocked":
      forget();
      state.phase = "ended";
      show("chat", false);
      if (f.until) showEnded("web.blocked_until", { when: { at: f.until } }, f.alternatives, false);
      else showEnded("web.blocked", null, f.alternatives, false);
      break;
    case "already_started":
      break;
    case "unavailable":
      // The relay could not store it just now (its database is away): nothing was
      // stored, and the protocol says to send it again with the same id.
      if (typeof f.id === "string") sendAgainLater(f.id);
      else if (state.phase === "starting") {
        state.phase = "intro";
        intakeError("web.intake_invalid");
      }
      break;
    case "rate_limited":
      if (typeof f.id === "string") {
        failed(f);
      } else if (state.phase === "starting") {
        // Several chats wait from this network already (a school, a shared connection).
        state.phase = "intro";
        const minutes = Math.max(1, Math.ceil((Number(f.retry_after) || 60) / 60));
        intakeError("web.start_later", { minutes });
      }
      break;
    default:
      if (typeof f.id === "string") {
        failed(f);
      } else if (state.phase === "starting") {
        state.phase = "intro";
        intakeError("web.intake_invalid");
      }
  }
}

const SEND_AGAIN_MS = 2000;

/** A message the relay could not store yet: it stays "being sent" and goes again soon
 * (or with the outbox after a reconnect). */
function sendAgainLater(id) {
  setTimeout(() => {
    const saved = state.saved;
    const item = saved && saved.outbox.find((i) => i.id === id);
    if (item && state.phase === "chat") net.send({ type: "say", id: item.id, text: item.text });
  }, SEND_AGAIN_MS);
}

function failed(f) {
  const saved = state.saved;
  if (!saved) return;
  const entry = saved.log.find((e) => e.kind === "me" && e.id === f.id);
  saved.outbox = saved.outbox.filter((item) => item.id !== f.id);
  if (entry) {
    entry.state = "failed";
    if (f.code === "rate_limited") {
      entry.note = "web.rate_limited";
      entry.noteVars = { seconds: Number(f.retry_after) || 1 };
    } else {
      entry.note = "web.failed";
    }
    updateEntry(entry);
  }
  save();
}

// -- what the chatter does -------------------------------------------------------------

function startChat(event) {
  event.preventDefault();
  if (state.phase !== "intro") return;
  if (!$("consent").checked) {
    consentMissing();
    return;
  }
  intakeError(null);
  const frame = { type: "start", consent: true };
  const nickname = $("nickname").value.trim();
  const gender = $("gender").value.trim();
  const ageText = $("age").value.trim();
  if (nickname) frame.nickname = nickname;
  if (gender) frame.gender = gender;
  if ($("region").value) frame.region = $("region").value;
  if (ageText) {
    const age = Number(ageText);
    if (!Number.isInteger(age) || age < limits.age_min || age > limits.age_max) {
      intakeError("web.age_invalid");
      focusOn("age");
      return;
    }
    frame.age = age;
  }
  if (!net.send(frame)) {
    setStatus("web.not_connected");
    return;
  }
  state.phase = "starting";
}

function sendMessage(event) {
  if (event) event.preventDefault();
  const saved = state.saved;
  if (!saved || state.phase === "ended") return;
  const box = $("message");
  const text = box.value.trim();
  if (!text) return;
  const entry = { kind: "me", id: randomId(), text, state: "pending" };
  saved.outbox.push({ id: entry.id, text });
  addEntry(entry);
  save();
  box.value = "";
  if (state.phase === "chat") net.send({ type: "say", id: entry.id, text });
}

function typed() {
  const now = Date.now();
  const saved = state.saved;
  // At most one `typing` each 3 s: enough for "is typing", cheap for the relay.
  if (state.phase === "chat" && saved?.counsellor && now - lastTypingSent >= TYPING_EVERY) {
    if (net.send({ type: "typing" })) lastTypingSent = now;
  }
}

function askLeave() {
  const dialog = $("confirm-leave");
  if (typeof dialog.showModal === "function") {
    dialog.showModal();
    focusOn("confirm-no");
  }
}

function leave() {
  $("confirm-leave").close();
  if (!net.send({ type: "leave" })) {
    // Offline: nobody can resume without the token, and the relay ends it after the window.
    onEnded("chatter");
  }
}

function restart() {
  forget();
  state.phase = "intro";
  clearTranscript();
  $("consent").checked = false;
  consentGiven();
  if (net.isClosed()) net.connect();
  showIntro();
  focusOn("welcome-title");
}

function quickLeave() {
  const inChat = state.saved !== null;
  state.phase = "exiting";
  if (inChat) net.send({ type: "leave" });
  forgetAll();
}

// -- wiring ----------------------------------------------------------------------------

function init() {
  initLang();
  installQuickExit(quickLeave);
  $("lang-switch").addEventListener("click", () => useLang(otherLang()));
  $("consent").addEventListener("change", () => {
    if ($("consent").checked) consentGiven();
  });
  $("start-form").addEventListener("submit", startChat);
  $("compose").addEventListener("submit", sendMessage);
  $("message").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) sendMessage(event);
  });
  $("message").addEventListener("input", typed);
  $("leave").addEventListener("click", askLeave);
  $("confirm-no").addEventListener("click", () => $("confirm-leave").close());
  $("confirm-yes").addEventListener("click", leave);
  $("restart").addEventListener("click", restart);
  setStatus("web.connecting");
  if (state.saved) {
    state.phase = "resuming";
    showChat(false);
    setStatus("web.resuming");
  } else {
    showIntro();
  }
  net.connect({ onFrame: handle, onDrop: dropped });
}

init();
