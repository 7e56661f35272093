// go_quote.go - Go's own %q (strconv.Quote) of a fixed set of byte strings
// covering every class of rune, for go-quote.sh to compare with acmectl's
// cm_go_quote() byte for byte. One line per string: its bytes in hex, a
// tab, then fmt.Sprintf("%q", s). No string holds a NUL byte (C strings
// cannot). The last string of each 0x1000-rune block walk holds every
// code point of the block, surrogates included, encoded as UTF-8 by hand
// (Go's encoder would turn a surrogate into U+FFFD).
package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"os"
)

// utf8Raw encodes r as UTF-8 without refusing surrogates.
func utf8Raw(r rune) []byte {
	switch {
	case r < 0x80:
		return []byte{byte(r)}
	case r < 0x800:
		return []byte{0xc0 | byte(r>>6), 0x80 | byte(r&0x3f)}
	case r < 0x10000:
		return []byte{0xe0 | byte(r>>12), 0x80 | byte(r>>6&0x3f), 0x80 | byte(r&0x3f)}
	}
	return []byte{0xf0 | byte(r>>18), 0x80 | byte(r>>12&0x3f), 0x80 | byte(r>>6&0x3f),
		0x80 | byte(r&0x3f)}
}

func runes(rs ...rune) string {
	var b []byte
	for _, r := range rs {
		b = append(b, utf8Raw(r)...)
	}
	return string(b)
}

func main() {
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	var in []string
	// every ASCII byte but NUL, then every byte alone (0x80-0xff: no
	// UTF-8 sequence on its own)
	for b := 1; b < 0x100; b++ {
		in = append(in, string([]byte{byte(b)}))
	}
	// the C1 controls, U+00A0, the soft hyphen, the zero-width and
	// direction marks, the line and paragraph separators, the BOM,
	// U+FFFD and the noncharacters after it, a combining acute and a
	// combining mark for symbols, the last rune, a tag, a variation
	// selector, private use, unassigned planes
	for r := rune(0x80); r <= 0xa0; r++ {
		in = append(in, runes(r))
	}
	for _, r := range []rune{0xad, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029,
		0x202e, 0x2060, 0x3000, 0xfeff, 0xfffd, 0xfffe, 0xffff, 0x0301, 0x20d0, 0x10ffff,
		0xe0001, 0xe0100, 0xe000, 0xf0000, 0x100000, 0x40000, 0x50000, 0xe0000, 0x1f600,
		0x30000, 0x2fffe, 0xd7ff} {
		in = append(in, runes(r), "a"+runes(r)+"b")
	}
	// byte sequences that are no rune: surrogates, overlong forms, above
	// U+10FFFF, cut short, stray continuations, mixed with runes
	in = append(in, runes(0xd800), runes(0xdbff, 0xdc00), runes(0xdfff),
		"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xf0\x80\x80\xaf",
		"\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80",
		"\xe2\x82", "\xe2", "\xf0\x9f\x98", "\x80\x80", "a\xe2\x82\xacb\xffc\u200bd\"e\\",
		"\xed\xa0\x80\xed\xb0\x80", "\xc2", "\xc2\x41", "\xef\xbf\xbe\xef\xbf\xbf")
	// every code point, one string per 0x1000-rune block
	for b := rune(0); b <= 0x10ffff; b += 0x1000 {
		var rs []rune
		for r := b; r < b+0x1000; r++ {
			if r != 0 {
				rs = append(rs, r)
			}
		}
		in = append(in, runes(rs...))
	}
	for _, s := range in {
		fmt.Fprintf(w, "%s\t%q\n", hex.EncodeToString([]byte(s)), s)
	}
}
