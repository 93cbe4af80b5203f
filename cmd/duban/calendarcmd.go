package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"duban/internal/columns"
)

func (a *app) calendarCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "calendar", Short: "The working-day calendar rules reason with"}
	var year int
	var rulesDir string
	var calendars []string
	show := &cobra.Command{
		Use:   "show",
		Short: "List a year's holidays and adjusted working days, and the years the calendar knows",
		Long: `List the days of a year that are not ordinary (Monday to Friday work, weekends rest):
statutory and local holidays, and weekends worked in exchange (调休), as the rules see
them — the official calendar plus the calendar files of --rules DIR and --calendar.
Rules that count working days past the last year listed here only skip weekends;
add a calendar file (*.calendar.yaml) for later years.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := loadRules(rulesDir, calendars, time.Time{})
			if err != nil {
				return err
			}
			cal, loc := rs.Calendar, rs.Location
			if year == 0 {
				_, now, _ := parseNow("")
				year = now.In(loc).Year()
			}
			first, last := cal.KnownYears()
			fmt.Fprintf(a.stdout, "calendar in %s; holidays known for %d–%d\n", loc, first, last)
			if year < first || year > last {
				fmt.Fprintf(a.stdout, "%d is outside the known years: only weekends are days off\n", year)
			}
			tw := columns.NewWriter(a.stdout)
			workdays := 0
			for d := time.Date(year, 1, 1, 12, 0, 0, 0, loc); d.Year() == year; d = d.AddDate(0, 0, 1) {
				work := cal.IsWorkday(d)
				if work {
					workdays++
				}
				weekend := d.Weekday() == time.Saturday || d.Weekday() == time.Sunday
				name := cal.HolidayName(d)
				if work == !weekend && name == "" {
					continue
				}
				status := "rest"
				if work {
					status = "work (调休)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Format("2006-01-02"), d.Format("Mon"), status, name)
			}
			tw.Flush()
			fmt.Fprintf(a.stdout, "%d working days in %d\n", workdays, year)
			return nil
		},
	}
	show.Flags().IntVar(&year, "year", 0, "the year (default: this year)")
	show.Flags().StringVar(&rulesDir, "rules", "", "rule directory whose calendar files apply (default: the built-in pack)")
	show.Flags().StringSliceVar(&calendars, "calendar", nil, "calendar file(s) with local holidays and later years")
	cmd.AddCommand(show)
	return cmd
}
