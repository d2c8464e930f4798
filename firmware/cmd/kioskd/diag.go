package main

import "context"

// diagCommands lists the technician tools under `kioskd diag`. Each tool
// lives in its own diag_<name>.go file and only parses flags, calls the
// package that does the work, and prints JSON or lines.
func diagCommands() []command {
	return []command{
		{"nfc", "nfc --device pn532:uart:/dev/ttyX[@baud]|pn532:i2c:BUS|pn532:spi:PORT|pcsc[:NAME] [--timeout 10s] [--select-emrtd]: wait for a card, print it as JSON", diagNFC},
		{"fingerprint", "fingerprint --device r30x:PATH info|enroll|verify|search|delete|count: R30x module tool", diagFingerprint},
		{"fingerprint-erase", "fingerprint-erase --db PATH --device r30x:PATH < ID_NUMBER: delete a citizen's fingerprint template and binding (erasure request)", diagFingerprintErase},
		{"print", "print --device escpos:/dev/ttyX[@baud] --sample queue|receipt|parking: print a sample slip", diagPrint},
		{"printer-status", "printer-status --device escpos:/dev/ttyX[@baud]: printer status as JSON", diagPrinterStatus},
		{"txgen", "txgen --db PATH --count N [--kind K] [--device-id ID]: append synthetic records, print \"acked SEQ\" per durable append", diagTxgen},
		{"queue-gen", "queue-gen --db PATH --count N [--service A] [--services A,B] [--priority-every N]: issue tickets through the journaled queue, print \"issued ID\" per durable issue", diagQueueGen},
		{"outbox", "outbox --db PATH: upload backlog as JSON (epoch, pending, oldest age, last acked, quarantined); outbox release (--seq N | --all): quarantined records back to the outbox", diagOutbox},
		{"store", "store check|condition|salvage|quarantine-unreadable --config FILE: can the store open; recover a damaged database or a lost sealing key", diagStore},
		{"upload", "upload --db PATH --url BASE_URL [--token T]: drain the outbox once with protocol v1", diagUpload},
		{"cccd-qr", "cccd-qr PAYLOAD: decode a CCCD QR, print CAN and BAC key candidates", diagCCCDQR},
		{"mrz", "mrz < LINES: parse a TD1 MRZ, check every check digit", diagMRZ},
		{"read-card", "read-card --device DEVICE [--qr P|--can N|--mrz D,DOB,EXP] [--trust DIR] [--dg2 OUT.jpg] [--show-pii]: read and verify a CCCD, print the verdict as JSON", diagReadCard},
		{"pa", "pa verify --sod FILE [--trust DIR] [--dg N=FILE …] [--at DATE]: Passive Authentication from files, every step and the verdict", diagPA},
		{"trust", "trust list DIR: what a CSCA trust folder holds per country, and what was left out and why", diagTrust},
		{"emrtd-keys", "emrtd-keys --doc D --dob YYMMDD --exp YYMMDD: print BAC K_seed, K_enc, K_mac", diagEmrtdKeys},
		{"vietqr", "vietqr encode|decode: build or inspect a VietQR payment payload", diagVietQR},
		{"hospital", "hospital bhyt|clinics --config FILE: check the BHYT check-card and HIS services", diagHospital},
		{"bench", "bench transit --taps N [--concurrency C] [--deny N]: hot-path latency as JSON (p50/p99/max ms)", diagBench},
	}
}

func cmdDiag(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "kioskd diag", "technician tools", diagCommands(), args)
}
