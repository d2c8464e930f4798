// Package transit is the bus validator (device profile "transit", issue 10,
// design §1): a passenger presents a token, the validator decides locally with
// no network on the hot path, makes the decision durable, then signals it.
//
//	token → verdict (deny list, repeat window, pass list, concession, fare,
//	offline risk limits) → durable "transit.tap" record → buzzer, LEDs, screen
//
// Tokens: the validator decides identity.Presentations — each QR scan and
// card tap identified on its own by firmware/identity's Acquirer (Run) —
// and turns each into the keyed citizen token with identity.Tokenizer
// (HMAC-SHA256 of the 12-digit ID number under a per-operator key, so raw ID
// numbers are never stored on the validator). A CCCD's printed QR and a full
// chip read (when the passenger's access key is known) give the same token;
// a fixed chip UID (not random, ISO/IEC 14443-3) counts only where the
// deployment allows it (identity.Policy.StaticUID); a VNeID QR cannot be
// decided offline ("needs online check"). Records name how the token was
// presented as "cccd_qr", "cccd_chip", "uid" or "vneid".
//
// Lists (lists.go, persist.go, sync.go): the deny list and the pass list come
// from the back-end as signed versioned snapshots or deltas,
// GET {base_url}/v1/lists/{name}?since=V, Ed25519 over the payload bytes with
// a configured public key. ListStore keeps each envelope exactly as received
// and verifies every one it uses again at load; the highest version ever
// accepted (the version floor) lives in the store's sealed key-value pairs,
// so deleting files cannot roll a list back to an old signed snapshot. A
// file that fails falls back to the last good state with an alert, and the
// validator always starts: with no deny list it blocks no one, with no pass
// list every pass holder pays the fare. Syncer uses the uplink's TLS settings
// and sends the uplink's token only to the uplink's own origin. The deny
// list in memory is a sorted array of 32-byte token hashes with a 16-bit
// prefix index: 32 bytes per entry plus 256 KiB.
//
// The pass list also carries single-ride tickets sold at a ticketing kiosk
// (rides.go, issue 18): used at the first tap, refused after with "Vé đã sử
// dụng". A card tap that identifies no one (a CCCD's random UID and no
// chip key) is answered at once, unrecorded, with red, two beeps and "Quét
// mã QR trên thẻ CCCD".
//
// Records hold the token hash only, never a name, ID number or birth date;
// their payload is records.TransitTap, which owns the wire format.
//
// The package is also the transit device profile (firmware/profile):
// section.go is its [transit] table, start.go its Profile (lists, LEDs and
// buzzer, the validator over the kiosk's Acquirer). Its screen contract is
// State (state.go: the last decision and the LEDs and buzzer as they are,
// Subscribe); it takes no intents.
//
// It imports firmware/metrics (the verdict latency histogram), firmware/identity, drivers/gpio, payments/tariff, firmware/records, firmware/store,
// firmware/config (its Section, NewSyncer), firmware/profile (the profile
// contract), firmware/netclient (the list service's TLS client); it must NOT import
// test machinery (periph's gpiotest: Bench has its own in-memory pin), Fyne, ui/ or firmware/uplink, and nothing on the decision path touches the
// network (Syncer runs beside it).
//
// Time (issue 22.7). Boards without an RTC boot in 1970 and NTP steps the
// wall clock either way, so no window is measured by subtracting wall
// times. Within a process the repeat window runs on the monotonic clock
// (Config.Mono; time.Now's own reading by default): a clock stepped back
// does not charge a second fare, one stepped forward does not close the
// window early. The rules that name a date — the service day of the offline
// limits, a monthly pass's month, a ticket's validity — are decided at the
// latest wall time the validator has seen (forward-only): stepped back
// across midnight the day keeps counting, so nobody rides on a second day's
// allowance and a pass holder is not charged the old month's fare; stepped
// forward, the new day starts. Across a restart only the records' wall
// times remain: the service day is the latest of the clock's and the
// records', and a tap recorded ahead of the clock (stepped back since)
// keeps its repeat window open for one window from the restart — the
// passenger is not charged twice, and the operator's free rides end one
// window later. A clock before the build's date (a 1970 boot), or at start
// more than an hour behind the newest record, records nothing at all: the
// store refuses (store.ErrClock), so every tap is red until NTP sets the
// time.
//
// Offline risk limits apply to every decision: the validator never asks the
// back-end on the hot path, so every ride is unpaid until the back-end settles
// it from the uploaded records.
package transit
