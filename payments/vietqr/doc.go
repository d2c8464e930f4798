// Package vietqr encodes and decodes VietQR payloads: EMVCo Merchant-Presented
// QR (EMV QRCPS-MPM v1.1) as NAPAS profiles it for interbank transfers
// ("NAPAS 247 VietQR", IBFT to account QRIBFTTA or to card QRIBFTTC).
//
// Layout of a payload (ID, two-digit length, value; EMV QRCPS-MPM §4.1):
//
//	00 "01"                         payload format indicator, always first
//	01 "11" | "12"                  static | dynamic (an amount is set)
//	38 { 00 "A000000727"            NAPAS GUID
//	     01 { 00 BIN (6 digits)     acquirer / beneficiary bank (see Banks)
//	          01 account or card }
//	     02 "QRIBFTTA" | "QRIBFTTC" service code }
//	52 MCC, 53 "704" (VND), 54 amount, 58 "VN", 59 name, 60 city
//	62 { 01 bill number, 08 purpose of transaction, … }
//	63 CRC-16/CCITT-FALSE over everything through "6304", 4 upper-case hex
//
// Encode emits the tags in ascending order with only ASCII text (Vietnamese
// diacritics are folded, Đ→D). Decode is tolerant where real bank QRs are
// (lower-case CRC digits, tags out of order, unknown tags kept) but requires
// 00 first and 63 last, checks every length and reports errors with their
// byte offset. Lengths are counted in bytes (NAPAS text fields are ASCII).
//
// This package imports only the standard library; it knows nothing of
// sessions, printers or the store.
package vietqr
