// The websocket to /chat of the relay that served this page: one at a time, reconnected with
// exponential backoff after a drop. Frames go to `onFrame`; a drop to `onDrop`.

let ws = null;
let attempts = 0;
let timer = 0;
let handlers = { onFrame: () => {}, onDrop: () => {} };

/** Open the connection (again); `on` = {onFrame(frame), onDrop()} the first time. */
export function connect(on) {
  if (on) handlers = on;
  clearTimeout(timer);
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
    if (frame && typeof frame.type === "string") handlers.onFrame(frame);
  });
  sock.addEventListener("close", () => {
    if (sock !== ws) return;
    ws = null;
    handlers.onDrop();
  });
}

/** Try again later: 0.5 s, 1 s, 2 s ... at most 10 s, with jitter. */
export function reconnectLater() {
  const delay = Math.min(10000, 500 * 2 ** attempts) * (0.75 + Math.random() / 2);
  attempts += 1;
  timer = setTimeout(connect, delay);
}

/** The relay answered (welcome): the next drop starts the backoff from the beginning. */
export function connected() {
  attempts = 0;
}

export function isClosed() {
  return ws === null;
}

/** Send a frame if connected; false when offline. */
export function send(frame) {
  if (ws && ws.readyState === WebSocket.OPEN) {
    ws.send(JSON.stringify(frame));
    return true;
  }
  return false;
}
