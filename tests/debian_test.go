package tests

import (
	"os"
	"path/filepath"
	"testing"
)

// sqliteConcurrent has four sqlite3 processes insert 500 rows each into
// one database at the same time, each row its own transaction, waiting
// for each other's locks (a busy timeout), then counts the rows and
// checks the database. $1 is the journal mode.
const sqliteConcurrent = `
set -e
cd /tmp
rm -f t.db t.db-journal t.db-wal t.db-shm
/usr/bin/sqlite3 t.db "pragma journal_mode=$1; create table t(p, i);" >/dev/null
for p in 1 2 3 4; do
	i=0
	while [ $i -lt 500 ]; do echo "insert into t values($p, $i);"; i=$((i+1)); done > in$p.sql
done
for p in 1 2 3 4; do
	/usr/bin/sqlite3 -cmd ".timeout 60000" t.db < in$p.sql &
done
wait
/usr/bin/sqlite3 t.db "select count(*) from t; select count(distinct p || '-' || i) from t; pragma integrity_check; pragma journal_mode;"
rm -f t.db t.db-journal t.db-wal t.db-shm in?.sql
`

// TestSQLiteConcurrent runs Debian's sqlite3 under paddock and natively
// (in a chroot into the same root): the record locks, in rollback-journal
// mode, and shared file mappings of the WAL index, in WAL mode, must let
// four writers finish with every row in place.
func TestSQLiteConcurrent(t *testing.T) {
	root := built(t, "deb-root")
	if _, err := os.Stat(filepath.Join(root, "usr/bin/sqlite3")); err != nil {
		t.Fatalf("sqlite3 is missing from %s: %v", root, err)
	}
	for _, mode := range []string{"delete", "wal"} {
		t.Run(mode, func(t *testing.T) {
			want := "2000\n2000\nok\n" + mode + "\n"
			nat := native(t, root, "/", nil, "", "/bin/sh", "-c", sqliteConcurrent, "sh", mode)
			if nat.stdout != want || nat.code != 0 {
				t.Fatalf("natively:\n%s", nat)
			}
			got := paddock(t, root, "/", nil, "", "/bin/sh", "-c", sqliteConcurrent, "sh", mode)
			if got.stdout != want || got.code != 0 {
				t.Errorf("under paddock:\n%s\nwant stdout %q", got, want)
			}
		})
	}
}

// makeRebuild has Debian's make build a small tree, then change one
// prerequisite at a time: make must rebuild exactly the targets that
// depend on it, going by the files' modification times.
const makeRebuild = `
set -e
rm -rf /tmp/mk && mkdir /tmp/mk && cd /tmp/mk
printf 'all: app\n' > Makefile
printf 'app: a.o b.o\n\tcat a.o b.o > app; echo built app\n' >> Makefile
printf 'a.o: a.c h.h\n\tcat a.c h.h > a.o; echo built a.o\n' >> Makefile
printf 'b.o: b.c\n\tcat b.c > b.o; echo built b.o\n' >> Makefile
echo a > a.c; echo b > b.c; echo h > h.h
echo "-- first build"; make -s
echo "-- again"; make -s
sleep 0.05; touch b.c
echo "-- b.c touched"; make -s
sleep 0.05; echo h2 > h.h
echo "-- h.h changed"; make -s
touch -d '2001-02-03 04:05:06' a.c
echo "-- a.c made older"; make -s
echo "-- question"; make -q && echo up to date
sleep 0.05; touch a.c
make -q || echo "needs a rebuild: $?"
echo "-- dry run"; make -n
cat app
cd / && rm -rf /tmp/mk
`

// TestMakeRebuild runs makeRebuild natively (in a chroot) and under
// paddock: the output, and so what was rebuilt, must agree.
func TestMakeRebuild(t *testing.T) {
	root := built(t, "deb-root")
	nat := native(t, root, "/", nil, "", "/bin/sh", "-c", makeRebuild)
	got := paddock(t, root, "/", nil, "", "/bin/sh", "-c", makeRebuild)
	if nat.code != 0 {
		t.Fatalf("natively:\n%s", nat)
	}
	if got.stdout != nat.stdout || got.code != nat.code {
		t.Errorf("native:\n%s\npaddock:\n%s", nat, got)
	}
}
