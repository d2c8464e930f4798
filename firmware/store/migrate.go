package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migrations are migrations/NNNN_name.sql, applied in order, each in its own
// transaction together with PRAGMA user_version = NNNN. Never edit a
// released migration; add the next one.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
	// after runs in the same transaction, after sql: what SQL cannot do
	// well (random bytes from crypto/rand).
	after func(ctx context.Context, tx *sql.Tx) error
}

// afterHooks are the Go halves of migrations, by version.
var afterHooks = map[int]func(ctx context.Context, tx *sql.Tx) error{
	4: insertEpoch,
}

// insertEpoch gives the database its store epoch: 128 bits from crypto/rand,
// created once, never changed (a new database is a new epoch).
func insertEpoch(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('epoch', ?)`, newEpoch())
	return err
}

// newEpoch returns a fresh random store epoch (32 lowercase hex digits).
func newEpoch() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	return hex.EncodeToString(b[:])
}

// migrations returns the embedded migrations sorted by version; versions
// must be 1, 2, 3… without gaps.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: bad version", base)
		}
		b, err := migrationFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b), after: afterHooks[v]})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s: want version %d", m.name, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion is the schema version this build migrates to.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// migrate brings db up to the latest version. fresh reports a database
// that had no schema at all (new, emptied or truncated file).
func migrate(ctx context.Context, db *sql.DB) (fresh bool, err error) {
	return migrateTo(ctx, db, -1)
}

// migrateTo applies migrations up to version target (-1: all).
func migrateTo(ctx context.Context, db *sql.DB, target int) (fresh bool, err error) {
	ms, err := migrations()
	if err != nil {
		return false, err
	}
	var cur int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return false, err
	}
	if cur > len(ms) {
		return false, fmt.Errorf("%w: database schema version %d is newer than this build (%d)", ErrSchema, cur, len(ms))
	}
	for _, m := range ms {
		if m.version <= cur || (target >= 0 && m.version > target) {
			continue
		}
		if err := applyMigration(ctx, db, m); err != nil {
			return false, fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return cur == 0, nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	// Re-check under the write lock: another opener may have migrated.
	var cur int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return err
	}
	if cur >= m.version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	if m.after != nil {
		if err := m.after(ctx, tx); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
		return err
	}
	return tx.Commit()
}
