// Makes float-cases.json: templates over JSON data that Go decodes into interface{} (every number float64), as
// Istio's `.Values` and fromJSON results are; the generator fills in `go` (see README.md).
import fs from "node:fs";
const data = { Values: { a: 1000000, b: 123456, c: 1.5, z: 0, neg: -2500000, big: 1e21, l: [1000000, 2], m: { x: 1e6, y: 7 } } };
const tpls = [
  "{{ .Values.a }}", "{{ .Values.b }}", "{{ .Values.c }}", "{{ .Values.z }}", "{{ .Values.neg }}", "{{ .Values.big }}",
  "{{ .Values.l }}", "{{ .Values.m }}", "{{ index .Values.l 0 }}", "{{ index .Values.m \"x\" }}",
  "{{ range .Values.l }}{{ . }},{{ end }}", "{{ range $k, $v := .Values.m }}{{ $k }}={{ $v }};{{ end }}",
  "{{ printf \"%v|%d|%.1f|%T\" .Values.a .Values.a .Values.a .Values.a }}", "{{ print .Values.a \" \" .Values.b }}", "{{ println .Values.a }}",
  "{{ .Values.a | toString }}", "{{ .Values.a | quote }}", "{{ .Values.a | squote }}", "{{ cat .Values.a .Values.b }}",
  "{{ .Values.a | default 3 }}", "{{ .Values.z | default 3 }}", "{{ if .Values.z }}t{{ else }}f{{ end }}", "{{ if .Values.a }}t{{ end }}",
  "{{ not .Values.z }}", "{{ typeOf .Values.a }}", "{{ kindOf .Values.a }}", "{{ kindIs \"float64\" .Values.a }}", "{{ empty .Values.z }}",
  "{{ coalesce .Values.z .Values.a }}", "{{ $x := .Values.a }}{{ $x }}", "{{ with .Values.a }}{{ . }}{{ end }}",
  "{{ add .Values.a 1 }}", "{{ toJson .Values }}", "{{ toYaml .Values.m }}", "{{ fromJson \"1000000\" }}", "{{ (fromJson \"{\\\"a\\\":2000000}\").a }}",
  "{{ len .Values.a }}", "{{ .Values.a.x }}", "{{ until .Values.b }}", "{{ html .Values.a }}", "{{ js .Values.a }}", "{{ urlquery .Values.a }}",
];
fs.writeFileSync(new URL("./float-cases.json", import.meta.url), JSON.stringify(tpls.map((tpl) => ({ tpl, data, jsonFloats: true })), null, 1) + "\n");
