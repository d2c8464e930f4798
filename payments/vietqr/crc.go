package vietqr

// CRC16 returns the CRC-16/CCITT-FALSE of b (polynomial 0x1021, initial value
// 0xFFFF, no reflection, no final XOR) as EMV QRCPS-MPM §4.7.3 requires for
// tag 63. Its check value over "123456789" is 0x29B1.
func CRC16(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
