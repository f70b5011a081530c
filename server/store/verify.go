package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bbolt's on-disk layout (go.etcd.io/bbolt/internal/common), read here with
// bounds-checked slices: bbolt itself maps the file and follows page ids
// without checks, so a damaged file makes it fault or panic.
const (
	pageHeaderSize  = 16 // id u64, flags u16, count u16, overflow u32
	pageElementSize = 16 // branch: pos u32, ksize u32, pgid u64; leaf: flags u32, pos u32, ksize u32, vsize u32
	bucketHeader    = 16 // root pgid u64, sequence u64
	metaSize        = 64 // magic, version, page size, flags, root bucket (16), freelist, pgid, txid, checksum
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	branchPage      = 0x01
	leafPage        = 0x02
	metaPage        = 0x04
	freelistPage    = 0x10
	bucketLeafFlag  = 0x01
	noFreelist      = ^uint64(0)
)

type boltMeta struct {
	pageSize uint32
	root     uint64
	freelist uint64
	pgid     uint64 // high-water mark: pages [0, pgid) are in use or free
	txid     uint64
}

// parseMeta reads a meta page's body (after the page header); ok is false when
// its magic, version or checksum do not match.
func parseMeta(b []byte) (boltMeta, bool) {
	if len(b) < metaSize {
		return boltMeta{}, false
	}
	le := binary.LittleEndian
	h := fnv.New64a()
	_, _ = h.Write(b[:56])
	if le.Uint32(b[0:]) != boltMagic || le.Uint32(b[4:]) != boltVersion || le.Uint64(b[56:]) != h.Sum64() {
		return boltMeta{}, false
	}
	return boltMeta{pageSize: le.Uint32(b[8:]), root: le.Uint64(b[16:]), freelist: le.Uint64(b[32:]), pgid: le.Uint64(b[40:]), txid: le.Uint64(b[48:])}, true
}

// fileChecker walks a bbolt file from its meta page the way bbolt would read
// it, checking every reachable page before anything maps it.
type fileChecker struct {
	f        *os.File
	size     int64
	meta     boltMeta
	ps       int64
	reached  []bool
	freed    []bool
	pages    int // pages read
	maxDepth int
}

// checkFile verifies the bbolt file at path: meta pages, length, and the
// structure of every reachable page. It reads the file and never maps it, so
// it cannot fault; the errors name what is wrong.
func checkFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	c := &fileChecker{f: f, size: st.Size(), maxDepth: 64}
	if c.size == 0 {
		return errors.New("the file is empty")
	}
	if err := c.readMeta(); err != nil {
		return err
	}
	if need := int64(c.meta.pgid) * c.ps; c.size < need {
		return fmt.Errorf("truncated: %d of %d bytes", c.size, need)
	}
	c.reached = make([]bool, c.meta.pgid)
	c.freed = make([]bool, c.meta.pgid)
	c.reached[0], c.reached[1] = true, true
	if c.meta.freelist != noFreelist {
		if err := c.checkFreelist(); err != nil {
			return err
		}
	}
	if err := c.walk(c.meta.root, 0); err != nil {
		return err
	}
	if c.meta.freelist != noFreelist {
		for id := range c.reached {
			if !c.reached[id] && !c.freed[id] {
				return fmt.Errorf("page %d: unreachable and not free", id)
			}
		}
	}
	return nil
}

// readMeta picks the meta page bbolt would use: the valid one with the higher txid.
func (c *fileChecker) readMeta() error {
	buf := make([]byte, 0x1000)
	n, _ := c.f.ReadAt(buf, 0)
	var metas []boltMeta
	if n >= pageHeaderSize+metaSize {
		if m, ok := parseMeta(buf[pageHeaderSize:n]); ok {
			metas = append(metas, m)
		}
	}
	// The second meta page sits one page in; bbolt tries each page size when the first is unreadable.
	sizes := []int64{1024, 2048, 4096, 8192, 16384, 32768, 65536}
	if len(metas) == 1 {
		sizes = []int64{int64(metas[0].pageSize)}
	}
	for _, ps := range sizes {
		n, _ := c.f.ReadAt(buf, ps)
		if n < pageHeaderSize+metaSize {
			continue
		}
		if m, ok := parseMeta(buf[pageHeaderSize:n]); ok && int64(m.pageSize) == ps {
			metas = append(metas, m)
			break
		}
	}
	if len(metas) == 0 {
		if n < pageHeaderSize+metaSize {
			return fmt.Errorf("not a bbolt database (%d bytes)", c.size)
		}
		return errors.New("not a bbolt database, or both meta pages are damaged")
	}
	best := metas[0]
	for _, m := range metas[1:] {
		if m.txid > best.txid {
			best = m
		}
	}
	if best.pageSize < 512 || best.pageSize > 1<<24 || best.pageSize&(best.pageSize-1) != 0 {
		return fmt.Errorf("meta page: impossible page size %d", best.pageSize)
	}
	if best.pgid < 3 || best.root < 2 || best.root >= best.pgid || (best.freelist != noFreelist && (best.freelist < 2 || best.freelist >= best.pgid)) {
		return fmt.Errorf("meta page: root %d or freelist %d outside the file's %d pages", best.root, best.freelist, best.pgid)
	}
	c.meta, c.ps = best, int64(best.pageSize)
	return nil
}

// page reads page id with its overflow pages and checks its header.
func (c *fileChecker) page(id uint64, what string) ([]byte, uint16, error) {
	if id < 2 || id >= c.meta.pgid {
		return nil, 0, fmt.Errorf("%s: page id %d outside the file's %d pages", what, id, c.meta.pgid)
	}
	head := make([]byte, pageHeaderSize)
	if _, err := c.f.ReadAt(head, int64(id)*c.ps); err != nil {
		return nil, 0, fmt.Errorf("page %d: %w", id, err)
	}
	le := binary.LittleEndian
	if got := le.Uint64(head); got != id {
		return nil, 0, fmt.Errorf("page %d: header names page %d", id, got)
	}
	flags, overflow := le.Uint16(head[8:]), uint64(le.Uint32(head[12:]))
	if id+overflow >= c.meta.pgid {
		return nil, 0, fmt.Errorf("page %d: %d overflow pages run past the file's %d pages", id, overflow, c.meta.pgid)
	}
	buf := make([]byte, (1+int64(overflow))*c.ps)
	if _, err := c.f.ReadAt(buf, int64(id)*c.ps); err != nil && !errors.Is(err, io.EOF) {
		return nil, 0, fmt.Errorf("page %d: %w", id, err)
	}
	for p := id; p <= id+overflow; p++ {
		if c.reached[p] {
			return nil, 0, fmt.Errorf("page %d: referenced twice", p)
		}
		if c.freed[p] {
			return nil, 0, fmt.Errorf("page %d: in use and on the freelist", p)
		}
		c.reached[p] = true
	}
	c.pages++
	return buf, flags, nil
}

func (c *fileChecker) checkFreelist() error {
	buf, flags, err := c.page(c.meta.freelist, "freelist")
	if err != nil {
		return err
	}
	if flags != freelistPage {
		return fmt.Errorf("page %d: freelist page has type %#x", c.meta.freelist, flags)
	}
	le := binary.LittleEndian
	count, start := uint64(le.Uint16(buf[10:])), uint64(pageHeaderSize)
	if count == 0xFFFF { // the real count is the first element
		count, start = le.Uint64(buf[pageHeaderSize:]), pageHeaderSize+8
	}
	if count > uint64(len(buf)) || start+count*8 > uint64(len(buf)) {
		return fmt.Errorf("page %d: freelist of %d ids does not fit its page", c.meta.freelist, count)
	}
	for i := range count {
		id := le.Uint64(buf[start+i*8:])
		if id < 2 || id >= c.meta.pgid {
			return fmt.Errorf("page %d: freelist names page %d outside the file's %d pages", c.meta.freelist, id, c.meta.pgid)
		}
		if c.freed[id] || c.reached[id] {
			return fmt.Errorf("page %d: freed twice or in use", id)
		}
		c.freed[id] = true
	}
	return nil
}

// walk checks the b+tree rooted at page id: page types, element bounds, key
// order, and every nested bucket.
func (c *fileChecker) walk(id uint64, depth int) error {
	if depth > c.maxDepth {
		return fmt.Errorf("page %d: tree deeper than %d", id, c.maxDepth)
	}
	buf, flags, err := c.page(id, "tree")
	if err != nil {
		return err
	}
	switch flags {
	case branchPage, leafPage:
	default:
		return fmt.Errorf("page %d: invalid type %#x for a tree page", id, flags)
	}
	return c.elements(id, buf, flags, depth)
}

// elements checks the elements of a branch or leaf page held in buf (a page
// on disk, or an inline bucket's page inside a value).
func (c *fileChecker) elements(id uint64, buf []byte, flags uint16, depth int) error {
	le := binary.LittleEndian
	count := int(le.Uint16(buf[10:]))
	if pageHeaderSize+count*pageElementSize > len(buf) {
		return fmt.Errorf("page %d: %d elements do not fit the page", id, count)
	}
	var prev []byte
	for i := range count {
		off := pageHeaderSize + i*pageElementSize
		e := buf[off : off+pageElementSize]
		var key, value []byte
		var child, leafFlags uint64
		if flags == branchPage {
			pos, ksize := uint64(le.Uint32(e[0:])), uint64(le.Uint32(e[4:]))
			child = le.Uint64(e[8:])
			if uint64(off)+pos+ksize > uint64(len(buf)) {
				return fmt.Errorf("page %d: element %d's key lies outside the page", id, i)
			}
			key = buf[uint64(off)+pos : uint64(off)+pos+ksize]
		} else {
			leafFlags = uint64(le.Uint32(e[0:]))
			pos, ksize, vsize := uint64(le.Uint32(e[4:])), uint64(le.Uint32(e[8:])), uint64(le.Uint32(e[12:]))
			if uint64(off)+pos+ksize+vsize > uint64(len(buf)) {
				return fmt.Errorf("page %d: element %d lies outside the page", id, i)
			}
			key = buf[uint64(off)+pos : uint64(off)+pos+ksize]
			value = buf[uint64(off)+pos+ksize : uint64(off)+pos+ksize+vsize]
		}
		if i > 0 && bytes.Compare(prev, key) >= 0 {
			return fmt.Errorf("page %d: keys out of order at element %d", id, i)
		}
		prev = key
		switch {
		case flags == branchPage:
			if err := c.walk(child, depth+1); err != nil {
				return err
			}
		case leafFlags&bucketLeafFlag != 0:
			if err := c.bucket(id, i, value, depth); err != nil {
				return err
			}
		case leafFlags != 0:
			return fmt.Errorf("page %d: element %d has unknown flags %#x", id, i, leafFlags)
		}
	}
	return nil
}

// bucket checks a nested bucket's header and its tree, inline or on its own pages.
func (c *fileChecker) bucket(id uint64, i int, value []byte, depth int) error {
	if len(value) < bucketHeader {
		return fmt.Errorf("page %d: element %d is a bucket with a %d-byte header", id, i, len(value))
	}
	root := binary.LittleEndian.Uint64(value)
	if root != 0 {
		return c.walk(root, depth+1)
	}
	inline := value[bucketHeader:]
	if len(inline) < pageHeaderSize {
		return fmt.Errorf("page %d: element %d: inline bucket too short", id, i)
	}
	if fl := binary.LittleEndian.Uint16(inline[8:]); fl != leafPage {
		return fmt.Errorf("page %d: element %d: inline bucket has type %#x", id, i, fl)
	}
	if depth+1 > c.maxDepth {
		return fmt.Errorf("page %d: buckets nested deeper than %d", id, c.maxDepth)
	}
	return c.elements(id, inline, leafPage, depth+1)
}

// openBolt opens a bbolt file, turning a panic or memory fault during open
// into ErrDamaged (bbolt reads the freelist and meta pages as it opens).
func openBolt(path string, opts *bolt.Options) (b *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, &pageFault{fmt.Sprint(r)}
		}
	}()
	return bolt.Open(path, 0o600, opts)
}

// jsonBuckets hold one JSON document per key; verification decodes each.
var jsonBuckets = [][]byte{
	bucketPlans, bucketCompletions, bucketCheckIns, bucketSubs, bucketTherapists,
	bucketAPITokens, bucketSessions, bucketInvites, bucketTemplates, bucketClientRows,
	bucketCustomStretches, bucketPhotoMeta, bucketPSFS, bucketPreparations,
}

// VerifyBackup checks a database file completely before anything relies on
// it: length and structure (checkFile), bbolt's own consistency check, every
// record readable, and a schema this binary understands. A backup cut short,
// a damaged page or a newer schema is an error naming the file.
func VerifyBackup(path string) error {
	if err := checkFile(path); err != nil {
		return &damagedFile{path, err}
	}
	b, err := openBolt(path, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("%s is not a readable database: %w", path, err)
	}
	defer b.Close()
	h := newHandle(path, b, nil)
	var schema uint64
	err = h.View(func(tx *bolt.Tx) error {
		// Read the check to its end: its goroutine must not outlive the transaction.
		var first error
		for e := range tx.Check() {
			if first == nil {
				first = e
			}
		}
		if first != nil {
			return first
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil || tx.Bucket(bucketPlans) == nil {
			return errNotAftercare
		}
		schema = decodeUint(meta.Get([]byte("schema")))
		for _, name := range jsonBuckets {
			bk := tx.Bucket(name)
			if bk == nil {
				continue
			}
			if err := bk.ForEach(func(k, v []byte) error {
				if !json.Valid(v) {
					return fmt.Errorf("bucket %s: record %x does not decode", name, k)
				}
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	switch {
	case errors.Is(err, errNotAftercare):
		return fmt.Errorf("%s is a bbolt file but not an aftercare database", path)
	case err != nil:
		return &damagedFile{path, err}
	case schema > SchemaVersion:
		return fmt.Errorf("%s has database schema %d, newer than this binary's %d: upgrade aftercare first", path, schema, SchemaVersion)
	}
	return nil
}

var errNotAftercare = errors.New("not an aftercare database")

// damagedFile is a database file that failed verification.
type damagedFile struct {
	path string
	err  error
}

func (e *damagedFile) Error() string        { return e.path + " is damaged: " + e.err.Error() }
func (e *damagedFile) Unwrap() error        { return e.err }
func (e *damagedFile) Is(target error) bool { return target == ErrDamaged }
