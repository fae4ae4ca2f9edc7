// The 1712 chat page: protocol v1 on /chat of the relay that served this page.
// Everything from the relay is shown with textContent, never as HTML.
// Only sessionStorage is used (this tab only): the resume token, the last counsellor seq,
// the transcript and unsent messages, so a reload within the resume window continues.
"use strict";

(() => {
  const KEY = "c1712.chat";
  const TYPING_EVERY = 3000; // ms between our `typing` frames while the chatter types
  const TYPING_SHOWN = 5000; // ms the counsellor's typing indicator stays visible
  const ESC_TWICE = 1000; // ms within which two Escape presses mean "quick exit"
  const TZ = "Europe/Brussels";

  const $ = (id) => document.getElementById(id);
  const meta = document.querySelector('meta[name="exit-url"]');
  const exitUrl = safeUrl(meta ? meta.content : "", ["https:", "http:"]) || "https://www.meteo.be/nl";

  let ws = null;
  let welcome = null; // the last welcome frame (opening state, alternatives)
  let saved = load(); // the current chat, or null
  // intro | starting | resuming | chat | ended | exiting
  let phase = "intro";
  let attempts = 0;
  let reconnectTimer = 0;
  let lastTypingSent = 0;
  let typingTimer = 0;
  let lastEscape = 0;

  // -- storage ---------------------------------------------------------------------------

  function load() {
    try {
      const raw = sessionStorage.getItem(KEY);
      const value = raw ? JSON.parse(raw) : null;
      return value && typeof value.token === "string" ? value : null;
    } catch (_) {
      return null;
    }
  }

  function save() {
    try {
      if (saved) sessionStorage.setItem(KEY, JSON.stringify(saved));
    } catch (_) {
      // A full or disabled storage only costs the resume after a reload.
    }
  }

  function forget() {
    saved = null;
    try {
      sessionStorage.removeItem(KEY);
    } catch (_) {
      // nothing to clear
    }
  }

  // -- helpers ---------------------------------------------------------------------------

  function safeUrl(text, schemes) {
    try {
      const url = new URL(String(text), location.href);
      return schemes.includes(url.protocol) ? url.href : "";
    } catch (_) {
      return "";
    }
  }

  function randomId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function formatWhen(at) {
    const when = new Date(at);
    if (Number.isNaN(when.getTime())) return "";
    const day = new Intl.DateTimeFormat("nl-BE", {
      timeZone: TZ, weekday: "long", day: "numeric", month: "long",
    }).format(when);
    const time = new Intl.DateTimeFormat("nl-BE", {
      timeZone: TZ, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
    }).format(when);
    return `${day} om ${time}`;
  }

  function show(section, visible) {
    $(section).hidden = !visible;
  }

  function setStatus(text) {
    $("connection").textContent = text;
  }

  function focusOn(id) {
    const el = $(id);
    if (el) el.focus();
  }

  function send(frame) {
    if (ws && ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  // -- connection ------------------------------------------------------------------------

  function connect() {
    clearTimeout(reconnectTimer);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const sock = new WebSocket(`${scheme}//${location.host}/chat`);
    ws = sock;
    sock.addEventListener("message", (event) => {
      if (sock !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_) {
        return;
      }
      if (frame && typeof frame.type === "string") handle(frame);
    });
    sock.addEventListener("close", () => {
      if (sock !== ws) return;
      ws = null;
      dropped();
    });
  }

  function dropped() {
    if (phase === "ended" || phase === "exiting") return;
    if (phase === "starting" || phase === "resuming") phase = saved ? "chat" : "intro";
    if (phase === "intro") {
      $("start").disabled = !$("consent").checked;
    }
    setStatus("Verbinding verbroken, opnieuw verbinden…");
    // Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... at most 10 s.
    const delay = Math.min(10000, 500 * 2 ** attempts) * (0.75 + Math.random() / 2);
    attempts += 1;
    reconnectTimer = setTimeout(connect, delay);
  }

  // -- frames from the relay -------------------------------------------------------------

  function handle(f) {
    switch (f.type) {
      case "welcome":
        attempts = 0;
        welcome = f;
        setStatus("");
        if (saved) {
          phase = "resuming";
          setStatus("Je gesprek wordt hervat…");
          send({ type: "resume", token: saved.token, after: saved.lastSeq || 0 });
        } else if (phase === "intro") {
          showIntro();
        }
        break;
      case "queued":
        saved = {
          token: f.resume, chat: f.chat, lastSeq: 0, counsellor: null,
          position: f.position, log: [], outbox: [],
        };
        save();
        phase = "chat";
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
        // The counsellor is gone (or gave the chat back): say so plainly, keep the chat.
        if (saved) {
          saved.counsellor = null;
          saved.position = f.position;
          save();
          addEntry({
            kind: "system",
            text: "Je hulpverlener is weggevallen. Je gesprek blijft bewaard: " +
              "een andere hulpverlener neemt het zo over.",
          });
          updateChatState();
        }
        break;
      case "joined":
        if (saved) {
          saved.counsellor = String(f.counsellor);
          saved.position = null;
          addEntry({ kind: "system", text: `${saved.counsellor} praat nu met je.` });
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

  function onResumed(f) {
    if (!saved) return;
    const before = saved.counsellor;
    saved.token = f.resume;
    saved.chat = f.chat;
    saved.counsellor = f.counsellor == null ? null : String(f.counsellor);
    saved.position = f.position;
    if (saved.counsellor && saved.counsellor !== before) {
      saved.log.push({ kind: "system", text: `${saved.counsellor} praat nu met je.` });
    }
    save();
    phase = "chat";
    setStatus("");
    showChat(false);
    // Messages sent but not acknowledged before the drop: the same id is stored once.
    for (const item of saved.outbox) send({ type: "say", id: item.id, text: item.text });
  }

  function onMessage(f) {
    if (!saved || typeof f.seq !== "number") return;
    if (f.seq <= (saved.lastSeq || 0)) return; // already shown (resume replays)
    saved.lastSeq = f.seq;
    hideTyping();
    addEntry({ kind: "them", who: saved.counsellor || "Hulpverlener", text: String(f.text), seq: f.seq });
  }

  function onAck(f) {
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
    const reasons = {
      chatter: "Je hebt het gesprek beëindigd.",
      counsellor: "De hulpverlener heeft het gesprek beëindigd.",
      timeout: "Het gesprek is gestopt omdat de verbinding te lang verbroken was.",
    };
    forget();
    phase = "ended";
    hideTyping();
    show("compose", false);
    $("ended-reason").textContent =
      `${reasons[by] || "Het gesprek is beëindigd."} Bedankt dat je contact opnam met 1712.`;
    show("ended", true);
    showAlternatives(welcome && welcome.alternatives);
    focusOn("ended-title");
  }

  function onError(f) {
    switch (f.code) {
      case "expired":
        forget();
        phase = "intro";
        $("transcript").replaceChildren();
        showIntro(
          "Je vorige gesprek kon niet meer hervat worden: je was langer dan 5 minuten weg " +
          "of het gesprek was al afgelopen. Je kunt hieronder een nieuw gesprek starten.",
        );
        break;
      case "consent_required":
        phase = "intro";
        consentMissing();
        break;
      case "closed":
        phase = "intro";
        welcome = Object.assign({}, welcome, {
          open: false, next_open: f.next_open,
          alternatives: f.alternatives || (welcome && welcome.alternatives),
        });
        showIntro();
        break;
      case "blocked":
        forget();
        phase = "ended";
        show("welcome", false);
        show("chat", false);
        $("ended-reason").textContent =
          `Je kunt tijdelijk niet chatten${f.until ? ` (tot ${formatWhen(f.until)})` : ""}. ` +
          "Je kunt 1712 wel op een andere manier bereiken.";
        show("restart", false);
        show("ended", true);
        showAlternatives(f.alternatives);
        focusOn("ended-title");
        break;
      case "already_started":
        break;
      default:
        if (typeof f.id === "string") {
          failed(f);
        } else if (phase === "starting") {
          phase = "intro";
          intakeError("Controleer wat je invulde: leeftijd tussen 5 en 120, schuilnaam en gender hoogstens 40 tekens.");
        }
    }
  }

  function failed(f) {
    if (!saved) return;
    const entry = saved.log.find((e) => e.kind === "me" && e.id === f.id);
    saved.outbox = saved.outbox.filter((item) => item.id !== f.id);
    if (entry) {
      entry.state = "failed";
      entry.note = f.code === "rate_limited"
        ? `Niet verstuurd: je stuurt te snel. Probeer over ${Number(f.retry_after) || 1} seconden opnieuw.`
        : "Niet verstuurd. Probeer het opnieuw.";
      updateEntry(entry);
    }
    save();
  }

  // -- screens ---------------------------------------------------------------------------

  function showIntro(notice) {
    show("chat", false);
    show("ended", false);
    show("welcome", true);
    const note = $("notice");
    note.textContent = notice || "";
    note.hidden = !notice;
    const open = welcome ? Boolean(welcome.open) : false;
    let state = "Verbinden…";
    if (welcome && open) {
      state = "De chat is nu open. Een hulpverlener helpt je zo snel mogelijk.";
    } else if (welcome) {
      const next = welcome.next_open ? formatWhen(welcome.next_open) : "";
      state = next
        ? `De chat is nu gesloten. Hij gaat weer open op ${next}.`
        : "De chat is nu gesloten.";
    }
    $("open-state").textContent = state;
    show("start-form", open);
    $("start").disabled = !$("consent").checked;
    if (welcome && !open) {
      showAlternatives(welcome.alternatives);
    } else {
      show("alternatives", false);
    }
  }

  function showChat(fresh) {
    show("welcome", false);
    show("ended", false);
    show("alternatives", false);
    show("compose", true);
    show("chat", true);
    renderTranscript();
    updateChatState();
    if (fresh || document.activeElement === document.body) focusOn("message");
  }

  function updateChatState() {
    if (!saved) return;
    let text;
    if (saved.counsellor) {
      text = `Je praat met ${saved.counsellor}.`;
    } else if (saved.position) {
      text = `Je staat in de wachtrij: plaats ${saved.position}. Een hulpverlener komt zo ` +
        "snel mogelijk bij je. Je mag al een bericht schrijven.";
    } else {
      text = "Je staat in de wachtrij. Een hulpverlener komt zo snel mogelijk bij je.";
    }
    $("chat-state").textContent = text;
  }

  function showAlternatives(list) {
    const ul = $("alternatives-list");
    ul.replaceChildren();
    for (const alt of Array.isArray(list) ? list : []) {
      if (!alt || typeof alt.label !== "string") continue;
      const li = document.createElement("li");
      const href = safeUrl(alt.contact, ["tel:", "mailto:", "https:", "http:"]);
      if (href) {
        const a = document.createElement("a");
        a.href = href;
        a.rel = "noopener noreferrer";
        a.textContent = alt.label;
        li.append(a);
      } else {
        li.textContent = alt.label;
      }
      ul.append(li);
    }
    show("alternatives", ul.children.length > 0);
  }

  function consentMissing() {
    $("consent-error").hidden = false;
    $("start").disabled = true;
    focusOn("consent");
  }

  function intakeError(text) {
    const el = $("intake-error");
    el.textContent = text;
    el.hidden = false;
    $("start").disabled = !$("consent").checked;
  }

  // -- transcript ------------------------------------------------------------------------

  function renderTranscript() {
    const ol = $("transcript");
    ol.replaceChildren(...(saved ? saved.log.map(entryElement) : []));
    ol.scrollTop = ol.scrollHeight;
  }

  function addEntry(entry) {
    saved.log.push(entry);
    save();
    const ol = $("transcript");
    ol.append(entryElement(entry));
    ol.scrollTop = ol.scrollHeight;
  }

  function entryElement(entry) {
    const li = document.createElement("li");
    li.className = `msg ${entry.kind}`;
    if (entry.id) li.dataset.id = entry.id;
    if (entry.kind !== "system") {
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = entry.kind === "me" ? "Jij" : entry.who;
      const sep = document.createElement("span");
      sep.className = "visually-hidden";
      sep.textContent = ": ";
      li.append(who, sep);
    }
    const text = document.createElement("p");
    text.className = "text";
    text.textContent = entry.text;
    li.append(text);
    if (entry.kind === "me") {
      const state = document.createElement("span");
      state.className = "state";
      li.append(state);
      fillState(li, entry);
    }
    return li;
  }

  function fillState(li, entry) {
    li.dataset.state = entry.state;
    const notes = { pending: "wordt verstuurd…", sent: "verstuurd" };
    li.querySelector(".state").textContent = entry.note || notes[entry.state] || "";
  }

  function updateEntry(entry) {
    const li = $("transcript").querySelector(`li[data-id="${entry.id}"]`);
    if (li) fillState(li, entry);
  }

  function showTyping() {
    if (!saved || !saved.counsellor) return;
    $("typing").textContent = `${saved.counsellor} is aan het typen…`;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_SHOWN);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    $("typing").textContent = "";
  }

  // -- what the chatter does -------------------------------------------------------------

  function startChat(event) {
    event.preventDefault();
    if (phase !== "intro") return;
    if (!$("consent").checked) {
      consentMissing(); // refused here too, not only by the disabled button
      return;
    }
    $("intake-error").hidden = true;
    const frame = { type: "start", consent: true };
    const nickname = $("nickname").value.trim();
    const gender = $("gender").value.trim();
    const ageText = $("age").value.trim();
    if (nickname) frame.nickname = nickname;
    if (gender) frame.gender = gender;
    if ($("region").value) frame.region = $("region").value;
    if (ageText) {
      const age = Number(ageText);
      if (!Number.isInteger(age) || age < 5 || age > 120) {
        intakeError("Vul een leeftijd tussen 5 en 120 in, of laat het vak leeg.");
        focusOn("age");
        return;
      }
      frame.age = age;
    }
    if (!send(frame)) {
      setStatus("Nog geen verbinding. Probeer het zo meteen opnieuw.");
      return;
    }
    phase = "starting";
    $("start").disabled = true;
  }

  function sendMessage(event) {
    if (event) event.preventDefault();
    if (!saved || phase === "ended") return;
    const box = $("message");
    const text = box.value.trim();
    if (!text) return;
    const entry = { kind: "me", id: randomId(), text, state: "pending" };
    saved.outbox.push({ id: entry.id, text });
    addEntry(entry);
    box.value = "";
    lastTypingSent = 0;
    if (phase === "chat") send({ type: "say", id: entry.id, text });
  }

  function typed() {
    const now = Date.now();
    if (phase === "chat" && saved && saved.counsellor && now - lastTypingSent > TYPING_EVERY) {
      if (send({ type: "typing" })) lastTypingSent = now;
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
    if (!send({ type: "leave" })) {
      // Offline: nobody can resume without the token, and the relay ends it after the window.
      onEnded("chatter");
    }
  }

  function restart() {
    forget();
    phase = "intro";
    $("transcript").replaceChildren();
    $("consent").checked = false;
    show("restart", true);
    if (ws === null) connect();
    showIntro();
    focusOn("welcome-title");
  }

  function quickExit() {
    if (phase === "exiting") return;
    const inChat = saved !== null;
    phase = "exiting";
    if (inChat) send({ type: "leave" });
    try {
      sessionStorage.clear();
    } catch (_) {
      // nothing stored
    }
    document.body.hidden = true;
    location.replace(exitUrl); // replace: Back does not return to this page
  }

  function keydown(event) {
    if (event.key === "Escape") {
      const now = Date.now();
      if (now - lastEscape < ESC_TWICE) {
        event.preventDefault();
        quickExit();
        return;
      }
      lastEscape = now;
    }
  }

  // -- wiring ----------------------------------------------------------------------------

  function init() {
    $("quick-exit").addEventListener("click", quickExit);
    document.addEventListener("keydown", keydown, true);
    $("consent").addEventListener("change", () => {
      $("start").disabled = !$("consent").checked || phase !== "intro";
      if ($("consent").checked) $("consent-error").hidden = true;
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
    setStatus("Verbinden…");
    if (saved) {
      phase = "resuming";
      showChat(false);
      setStatus("Je gesprek wordt hervat…");
    }
    connect();
  }

  init();
})();
