package push

// smallRecordSizes are the record sizes below the configured one that a
// message is padded to. webpush-go pads the plaintext so that the encrypted
// body is exactly the record size; one size for every message (2,800 bytes)
// made each reminder five times the memory and bandwidth it needs. A few
// fixed sizes keep a message's length from telling its kind: every reminder
// kind's payload measured 211–377 bytes (with a 24-character non-Latin first
// name and a 62-character base URL), so all of them share the 512-byte body.
var smallRecordSizes = [...]uint32{512, 1024}

// recordSizeFor returns the smallest record size that holds a payload of n
// bytes: one of smallRecordSizes, else largest (Config.RecordSize).
func recordSizeFor(n int, largest uint32) uint32 {
	for _, rs := range smallRecordSizes {
		if rs < largest && n+recordOverhead <= int(rs) {
			return rs
		}
	}
	return largest
}
