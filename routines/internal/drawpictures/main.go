// Command drawpictures renders every stretch's pictures from its pose model
// into a directory (go generate in routines runs it on routines/illustrations)
// and removes pictures no stretch has any more.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/aftercare/aftercare/routines"
)

func main() {
	dir := flag.String("dir", "illustrations", "directory to write the SVG files into")
	flag.Parse()
	files := routines.DrawIllustrations()
	old, err := filepath.Glob(filepath.Join(*dir, "*.svg"))
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range old {
		if _, ok := files[filepath.Base(f)]; !ok {
			if err := os.Remove(f); err != nil {
				log.Fatal(err)
			}
		}
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(*dir, name), b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
