// Quick exit: the button or Escape twice within a second ends the chat, clears this tab's
// storage and replaces the page with a neutral site (Back does not return to it).

import { config } from "./i18n.js";

const ESC_TWICE = 1000; // ms within which two Escape presses mean "quick exit"

function safeExitUrl(text) {
  try {
    const url = new URL(String(text), location.href);
    if (url.protocol === "https:" || url.protocol === "http:") return url.href;
  } catch (_) {
    // fall through
  }
  return "about:blank";
}

/** Wire the button and the keys; `leave()` ends the chat and forgets it before we go. */
export function installQuickExit(leave) {
  let lastEscape = 0;
  let gone = false;
  const exitUrl = safeExitUrl(config.exit_url);
  const quickExit = () => {
    if (gone) return;
    gone = true;
    leave();
    document.body.hidden = true;
    location.replace(exitUrl);
  };
  document.getElementById("quick-exit").addEventListener("click", quickExit);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const now = Date.now();
    if (now - lastEscape < ESC_TWICE) {
      event.preventDefault();
      quickExit();
      return;
    }
    lastEscape = now;
  }, true);
}
