// Queue pages: the counter screen (counter.html) and the waiting-room board
// (board.html). No framework, no CDN: plain DOM and fetch. The bearer token
// is typed once (or given as #token=… in the address, which never reaches
// the server) and kept in this browser's localStorage.
"use strict";

const Q = {};

// --- pure logic (tested in a real browser by tests/queuepages_test.go) ---

// Q.parseSSE splits a text/event-stream buffer into complete events and the
// unfinished rest: {events: [{event, data, id}], rest}.
Q.parseSSE = function (buf) {
  const events = [];
  let idx;
  buf = buf.replace(/\r\n/g, "\n");
  while ((idx = buf.indexOf("\n\n")) >= 0) {
    const block = buf.slice(0, idx);
    buf = buf.slice(idx + 2);
    const ev = { event: "message", data: "", id: "" };
    let any = false;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const c = line.indexOf(":");
      const k = c < 0 ? line : line.slice(0, c);
      let v = c < 0 ? "" : line.slice(c + 1);
      if (v.startsWith(" ")) v = v.slice(1);
      if (k === "event") { ev.event = v; any = true; }
      if (k === "data") { ev.data += (ev.data ? "\n" : "") + v; any = true; }
      if (k === "id") ev.id = v;
    }
    if (any) events.push(ev);
  }
  return { events, rest: buf };
};

// Q.waitMinutes is the estimated wait, in whole minutes, of someone who
// takes a number now: people waiting × average service time ÷ counters.
Q.waitMinutes = function (svc) {
  const counters = Math.max(1, (svc.counters || []).length);
  const avgMin = (svc.average_ns || 0) / 6e10;
  return Math.round((svc.waiting * avgMin) / counters);
};

// Q.waitText says the wait in Vietnamese.
Q.waitText = function (min) {
  if (min <= 0) return "Không phải chờ";
  if (min < 60) return "Khoảng " + min + " phút";
  const h = Math.floor(min / 60), m = min % 60;
  return "Khoảng " + h + " giờ" + (m ? " " + m + " phút" : "");
};

// Q.boardRows turns a Board into what the board shows: per counter the
// number called there, per service the people waiting, the next numbers
// and the estimated wait.
Q.boardRows = function (b) {
  const calling = (b.counters || []).map(c => ({ counter: c.counter, ticket: c.ticket || "—" }));
  const services = (b.services || []).map(s => ({
    code: s.code, name: s.name, waiting: s.waiting, next: (s.next || []).join(", ") || "—",
    wait: Q.waitText(Q.waitMinutes(s)),
  }));
  return { calling, services };
};

// Q.callText describes a staff call for the counter screen.
Q.callText = function (c) {
  const what = c.kind === "device"
    ? (c.reason === "printer_paper_end" ? "Máy hết giấy" : "Máy in gặp sự cố") + (c.ticket ? " (số " + c.ticket + ")" : "")
    : "Người bệnh cần hỗ trợ" + (c.ref ? " (mã " + c.ref + ")" : "");
  return what + " — máy " + c.kiosk + (c.place ? ", " + c.place : "");
};

// Q.applyCall keeps the open calls up to date with one "call" event.
Q.applyCall = function (open, c) {
  const rest = open.filter(o => o.id !== c.id);
  if (!c.acked || c.acked.startsWith("0001-")) rest.push(c);
  return rest;
};

// --- browser plumbing ---

Q.token = function () {
  const m = location.hash.match(/token=([^&]+)/);
  if (m) {
    localStorage.setItem("queue.token", decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return localStorage.getItem("queue.token") || "";
};

Q.api = async function (method, path, body) {
  const r = await fetch(path, {
    method, headers: Object.assign({ Authorization: "Bearer " + Q.token() }, body ? { "Content-Type": "application/json" } : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  if (r.status === 204) return null;
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(j.error || ("HTTP " + r.status));
  return j;
};

// Q.stream reads the event stream with fetch (EventSource cannot send the
// token) and reconnects after a pause when it ends.
Q.stream = async function (onEvent, onState) {
  for (;;) {
    try {
      const r = await fetch("/api/queue/events", { headers: { Authorization: "Bearer " + Q.token() } });
      if (!r.ok) throw new Error("HTTP " + r.status);
      onState(true);
      const rd = r.body.getReader(), dec = new TextDecoder();
      let buf = "";
      for (;;) {
        const { value, done } = await rd.read();
        if (done) break;
        const p = Q.parseSSE(buf + dec.decode(value, { stream: true }));
        buf = p.rest;
        p.events.forEach(e => onEvent(e.event, JSON.parse(e.data)));
      }
    } catch (e) {
      onState(false, e.message);
    }
    await new Promise(res => setTimeout(res, 3000));
  }
};

Q.el = function (tag, attrs, ...kids) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => (k === "class" ? (e.className = v) : k.startsWith("on") ? e.addEventListener(k.slice(2), v) : e.setAttribute(k, v)));
  kids.forEach(k => e.append(k));
  return e;
};

Q.askToken = function (then) {
  const f = document.getElementById("login");
  if (Q.token()) { f.hidden = true; then(); return; }
  f.hidden = false;
  f.addEventListener("submit", ev => {
    ev.preventDefault();
    localStorage.setItem("queue.token", f.elements.token.value.trim());
    f.hidden = true;
    then();
  });
};

// --- the board ---

Q.board = function () {
  Q.askToken(() => {
    const calling = document.getElementById("calling"), services = document.getElementById("services");
    const status = document.getElementById("status");
    let refresh = null;
    const render = b => {
      const v = Q.boardRows(b);
      calling.replaceChildren(...v.calling.map(c => Q.el("div", { class: "call" + (c.ticket === "—" ? " idle" : "") },
        Q.el("div", { class: "num" }, c.ticket), Q.el("div", { class: "where" }, "Mời đến quầy / phòng " + c.counter))));
      services.replaceChildren(...v.services.map(s => Q.el("tr", {},
        Q.el("td", {}, s.code + " · " + s.name), Q.el("td", { class: "n" }, String(s.waiting)),
        Q.el("td", {}, s.next), Q.el("td", {}, s.wait))));
    };
    const reload = () => Q.api("GET", "/api/queue/board").then(render).catch(e => (status.textContent = e.message));
    Q.stream((kind, data) => {
      if (kind === "board") render(data);
      else { clearTimeout(refresh); refresh = setTimeout(reload, 150); }
    }, (ok, msg) => (status.textContent = ok ? "" : "Mất kết nối, đang thử lại… " + (msg || "")));
  });
};

// --- the counter ---

Q.counter = function () {
  Q.askToken(async () => {
    const pick = document.getElementById("counter"), cur = document.getElementById("current");
    const msg = document.getElementById("msg"), calls = document.getElementById("calls");
    const waiting = document.getElementById("waiting"), to = document.getElementById("transfer-to");
    const status = document.getElementById("status");
    let open = [], current = "", services = [];
    const say = t => (msg.textContent = t);
    const services0 = await Q.api("GET", "/api/queue/services").catch(e => (say(e.message), []));
    services = services0;
    const counters = [...new Set(services.flatMap(s => s.counters))].sort();
    pick.replaceChildren(...counters.map(c => Q.el("option", { value: c }, "Quầy / phòng " + c)));
    pick.value = localStorage.getItem("queue.counter") || counters[0] || "";
    pick.addEventListener("change", () => { localStorage.setItem("queue.counter", pick.value); reload(); });
    to.replaceChildren(...services.map(s => Q.el("option", { value: s.code }, s.code + " · " + s.name)));
    const show = b => {
      const c = (b.counters || []).find(x => x.counter === pick.value);
      current = c ? c.ticket : "";
      cur.textContent = current || "—";
      const mine = services.filter(s => s.counters.includes(pick.value)).map(s => s.code);
      const v = Q.boardRows(b).services.filter(s => mine.includes(s.code));
      waiting.replaceChildren(...v.map(s => Q.el("li", {}, s.code + " · " + s.name + ": " + s.waiting + " người chờ — tiếp theo " + s.next)));
    };
    const showCalls = () => {
      calls.replaceChildren(...open.map(c => Q.el("li", { class: "alert" }, Q.el("span", {}, Q.callText(c)),
        Q.el("button", { class: "ack", "data-call": c.id, onclick: () => ack(c.id) }, "Nhận"))));
      document.getElementById("calls-box").classList.toggle("ringing", open.length > 0);
    };
    const reload = () => Q.api("GET", "/api/queue/board").then(show).catch(e => say(e.message));
    const ack = id => Q.api("POST", "/api/queue/calls/" + id + "/ack").then(c => { open = Q.applyCall(open, c); showCalls(); say("Đã nhận yêu cầu " + Q.callText(c)); }).catch(e => say(e.message));
    const op = (path, ok) => () => Q.api("POST", "/api/queue/counters/" + encodeURIComponent(pick.value) + "/" + path)
      .then(t => { say(t ? ok(t) : "Không còn ai chờ."); reload(); }).catch(e => say(e.message));
    document.getElementById("next").onclick = op("next", t => "Mời số " + t.id);
    document.getElementById("recall").onclick = op("recall", t => "Gọi lại số " + t.id);
    document.getElementById("noshow").onclick = op("no-show", t => "Số " + t.id + " vắng mặt");
    document.getElementById("complete").onclick = op("complete", t => "Đã xong số " + t.id);
    document.getElementById("transfer").onclick = () => {
      if (!current) return say("Chưa gọi số nào.");
      Q.api("POST", "/api/queue/tickets/" + current + "/transfer", { service: to.value })
        .then(t => { say("Đã chuyển số " + t.id + " sang " + to.value); reload(); }).catch(e => say(e.message));
    };
    let refresh = null;
    Q.stream((kind, data) => {
      if (kind === "board") show(data);
      else if (kind === "calls") { open = data; showCalls(); }
      else if (kind === "call") { open = Q.applyCall(open, data); showCalls(); }
      else { clearTimeout(refresh); refresh = setTimeout(reload, 150); }
    }, (ok, m) => (status.textContent = ok ? "Đang kết nối" : "Mất kết nối, đang thử lại… " + (m || "")));
  });
};

if (typeof module !== "undefined") module.exports = Q;
