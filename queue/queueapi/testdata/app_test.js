// Runs the pages' logic (web/app.js) under node: node app_test.js path/to/app.js
"use strict";
const Q = require(process.argv[2]);
const assert = require("assert");

let p = Q.parseSSE("id: 2026-11-22/1\nevent: board\ndata: {\"a\":1}\n\n: ping\n\nevent: call\ndata: {\"id\":\"C0001\"}\n\nevent: iss");
assert.deepStrictEqual(p.events.map(e => e.event), ["board", "call"]);
assert.strictEqual(p.events[0].id, "2026-11-22/1");
assert.strictEqual(p.rest, "event: iss");

// 6 waiting, 5 min average, 2 counters: 15 minutes.
assert.strictEqual(Q.waitMinutes({ waiting: 6, average_ns: 5 * 6e10, counters: ["1", "2"] }), 15);
assert.strictEqual(Q.waitText(0), "Không phải chờ");
assert.strictEqual(Q.waitText(15), "Khoảng 15 phút");
assert.strictEqual(Q.waitText(75), "Khoảng 1 giờ 15 phút");

const v = Q.boardRows({ counters: [{ counter: "P101", ticket: "A003" }, { counter: "Q1", ticket: "" }],
  services: [{ code: "A", name: "Khám nội", waiting: 2, next: ["A004", "B-A001"], average_ns: 3e11, counters: ["P101"] }] });
assert.deepStrictEqual(v.calling, [{ counter: "P101", ticket: "A003" }, { counter: "Q1", ticket: "—" }]);
assert.strictEqual(v.services[0].next, "A004, B-A001");
assert.strictEqual(v.services[0].wait, "Khoảng 10 phút");

assert.strictEqual(Q.callText({ kind: "help", ref: "H003", kiosk: "kiosk-sanh-a" }), "Người bệnh cần hỗ trợ (mã H003) — máy kiosk-sanh-a");
assert.strictEqual(Q.callText({ kind: "device", reason: "printer_paper_end", ticket: "A012", kiosk: "k2" }), "Máy hết giấy (số A012) — máy k2");

let open = Q.applyCall([], { id: "C1", acked: "0001-01-01T00:00:00Z" });
open = Q.applyCall(open, { id: "C2" });
assert.strictEqual(open.length, 2);
open = Q.applyCall(open, { id: "C1", acked: "2026-11-22T08:01:00Z" });
assert.deepStrictEqual(open.map(c => c.id), ["C2"]);
console.log("ok");
