// Package mediatest makes small valid images of every accepted format, for
// tests.
package mediatest

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
)

func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 40), uint8(y * 40), 200, 255})
		}
	}
	return img
}

// PNG is a w × h PNG.
func PNG(w, h int) []byte {
	var b bytes.Buffer
	png.Encode(&b, picture(w, h))
	return b.Bytes()
}

// JPEG is a w × h JPEG.
func JPEG(w, h int) []byte {
	var b bytes.Buffer
	jpeg.Encode(&b, picture(w, h), &jpeg.Options{Quality: 80})
	return b.Bytes()
}

// GIF is a w × h GIF.
func GIF(w, h int) []byte {
	var b bytes.Buffer
	gif.Encode(&b, picture(w, h), nil)
	return b.Bytes()
}

// WebP is a 1 × 1 lossless WebP (Go has no WebP encoder).
func WebP() []byte {
	return []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00")
}
