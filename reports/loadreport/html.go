package loadreport

import (
	"bufio"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/hookcheck/hookcheck/reports"
	"github.com/hookcheck/hookcheck/simulator/load"
)

//go:embed templates/load.gohtml templates/load.css
var files embed.FS

// page is what the template reads.
type page struct {
	R        *load.Result
	Headline string
	Pass     bool
	CSS      template.CSS
	Charts   []*chart
	Lost     []load.LostNotification
	Started  string
	Took     string
}

// WriteHTML renders r as one self-contained HTML page.
func WriteHTML(w io.Writer, r *load.Result) error {
	t, err := template.New("load").Funcs(template.FuncMap{"num": num, "ms": msText}).ParseFS(files, "templates/load.gohtml")
	if err != nil {
		return fmt.Errorf("parse load report template: %w", err)
	}
	css, err := files.ReadFile("templates/load.css")
	if err != nil {
		return fmt.Errorf("read load report style: %w", err)
	}
	p := page{R: r, Headline: Headline(r), Pass: r.Pass() && r.Lost == 0 && r.Knee == nil,
		CSS: template.CSS(css), Charts: charts(r), Lost: r.LostListed, //nolint:gosec // our own embedded file
		Started: r.StartedAt.UTC().Format(time.RFC3339), Took: reports.FormatDuration(r.EndedAt.Sub(r.StartedAt).Round(time.Second))}
	b := bufio.NewWriterSize(w, 64<<10)
	if err := t.ExecuteTemplate(b, "load", p); err != nil {
		return fmt.Errorf("render load report: %w", err)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("write load report: %w", err)
	}
	return nil
}

// Headline says in one line what the run found.
func Headline(r *load.Result) string {
	s := ""
	switch {
	case r.Knee == nil:
		s = fmt.Sprintf("Held %s/s: every rate offered", num(r.HeldRate))
	case strings.HasPrefix(r.Knee.Why, load.NotJudged) && r.HeldRate == 0:
		s = fmt.Sprintf("Not judged at %s/s: the run stopped before its first attempts ended", num(r.Knee.Rate))
	case strings.HasPrefix(r.Knee.Why, load.NotJudged):
		s = fmt.Sprintf("Held %s/s; %s/s not judged: the run stopped before its first attempts ended", num(r.HeldRate), num(r.Knee.Rate))
	case r.HeldRate == 0:
		s = fmt.Sprintf("Did not hold %s/s", num(r.Knee.Rate))
	default:
		s = fmt.Sprintf("Held %s/s; not %s/s", num(r.HeldRate), num(r.Knee.Rate))
	}
	if r.Lost > 0 {
		s += fmt.Sprintf("; %d notifications lost", r.Lost)
	}
	if r.Interrupted {
		s += " (interrupted)"
	}
	return s
}
