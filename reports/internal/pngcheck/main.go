// Command pngcheck fails when a screenshot of a rendered report is empty:
// too small a file, or (nearly) all one colour. `make report-check` runs it
// on chromium's headless render of a sample report.
//
//	go run ./reports/internal/pngcheck [-min-bytes N] [-crop Y0:Y1 -out FILE] SHOT.png
//
// -crop writes the rows Y0 to Y1 of the screenshot to -out, to look at one
// part of a long page.
package main

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
)

func main() {
	minBytes := flag.Int64("min-bytes", 20_000, "smallest acceptable PNG size")
	crop := flag.String("crop", "", "rows Y0:Y1 to write to -out")
	out := flag.String("out", "", "where -crop writes")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: pngcheck [-min-bytes N] [-crop Y0:Y1 -out FILE] SHOT.png")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *minBytes, *crop, *out); err != nil {
		fmt.Fprintln(os.Stderr, "pngcheck:", err)
		os.Exit(1)
	}
}

func run(path string, minBytes int64, crop, out string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Size() < minBytes {
		return fmt.Errorf("%s is %d bytes, under %d: the render looks empty", path, st.Size(), minBytes)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	if err := varied(img); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Printf("%s: %d bytes, %dx%d, not blank\n", path, st.Size(), img.Bounds().Dx(), img.Bounds().Dy())
	if crop == "" {
		return nil
	}
	var y0, y1 int
	if _, err := fmt.Sscanf(crop, "%d:%d", &y0, &y1); err != nil || out == "" {
		return fmt.Errorf("-crop wants Y0:Y1 and -out FILE")
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return fmt.Errorf("cannot crop a %T", img)
	}
	b := img.Bounds()
	w, err := os.Create(out)
	if err != nil {
		return err
	}
	defer w.Close()
	return png.Encode(w, sub.SubImage(image.Rect(b.Min.X, y0, b.Max.X, min(y1, b.Max.Y))))
}

// varied checks that the image has many colours and enough ink: a blank
// or error page has a handful of colours and is almost all background.
func varied(img image.Image) error {
	b := img.Bounds()
	colours := map[uint32]bool{}
	bg := img.At(b.Min.X, b.Min.Y)
	br, bgc, bb, _ := bg.RGBA()
	ink, total := 0, 0
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[(r>>11)<<10|(g>>11)<<5|bl>>11] = true
			total++
			if r != br || g != bgc || bl != bb {
				ink++
			}
		}
	}
	if len(colours) < 16 {
		return fmt.Errorf("only %d distinct colours: the render looks empty", len(colours))
	}
	if ink*100 < total*2 {
		return fmt.Errorf("only %d of %d sampled pixels differ from the background", ink, total)
	}
	return nil
}
