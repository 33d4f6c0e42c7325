// Throwaway generator (not built by pilotfish): runs every case of ../cases.json through real Go text/template with
// Masterminds/sprig v3.3.0 (TxtFuncMap, as Istio does) plus a few test functions, and writes the output or the error
// text back into the file as "go". Usage: go run . ../cases.json
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

type result struct {
	Out   *string `json:"out,omitempty"`
	Err   string  `json:"err,omitempty"`
	Phase string  `json:"phase,omitempty"`
}

// ints turns whole float64s into int, as pilotfish's value model reads JS numbers.
func ints(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 && !(x == 0 && math.Signbit(x)) {
			return int(x)
		}
		return x
	case []any:
		for i := range x {
			x[i] = ints(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = ints(x[k])
		}
		return x
	}
	return v
}

var testFuncs = template.FuncMap{
	"die":        func() (string, error) { return "", errors.New("die") },
	"echo":       func(a any) any { return a },
	"oneArg":     func(a string) string { return "oneArg=" + a },
	"oneArgAny":  func(a any) string { return fmt.Sprintf("oneArgAny=%v", a) },
	"oneArgZ":    func() string { return "zeroArgs" },
	"twoArgs":    func(a, b string) string { return "twoArgs=" + a + b },
	"dddArg":     func(a int, b ...string) string { return fmt.Sprint(a, b) },
	"mapOfThree": func() any { return map[string]int{"three": 3} },
	"count": func(n int) []string {
		s := []string{}
		for i := 0; i < n; i++ {
			s = append(s, string(rune('a'+i)))
		}
		return s
	},
}

func main() {
	path := os.Args[1]
	raw, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var cases []map[string]any
	if err := json.Unmarshal(raw, &cases); err != nil {
		panic(err)
	}
	for _, c := range cases {
		tpl := c["tpl"].(string)
		// "jsonFloats": the data as encoding/json decodes it into interface{} (every number a float64).
		data := c["data"]
		if jf, _ := c["jsonFloats"].(bool); !jf {
			data = ints(data)
		}
		res := result{}
		t := template.New("t").Funcs(sprig.TxtFuncMap()).Funcs(testFuncs)
		if mk, ok := c["missingKey"].(string); ok {
			t = t.Option("missingkey=" + mk)
		}
		if _, err := t.Parse(tpl); err != nil {
			res.Err = err.Error()
			res.Phase = "parse"
		} else {
			var b strings.Builder
			if err := t.Execute(&b, data); err != nil {
				res.Err = err.Error()
				res.Phase = "exec"
			} else {
				s := b.String()
				res.Out = &s
			}
		}
		c["go"] = res
	}
	out, _ := json.MarshalIndent(cases, "", " ")
	if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
		panic(err)
	}
	fmt.Println(len(cases), "cases")
}
