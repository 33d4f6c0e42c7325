// Throwaway golden generator for pilotfish's gateway-template conformance data (not part of pilotfish).
// Renders Istio 1.30.3's waypoint / kube-gateway / agentgateway injector templates with Go text/template,
// parsed exactly as istiod parses them (inject.ParseTemplates: sprig.TxtFuncMap + inject.InjectionFuncmap),
// over the same data istiod's gateway deployment controller passes (gatewaycommon.TemplateInput plus the
// derived ProxyImage, AgentgatewayImage, ProxyConfig, MeshConfig, Values).
//
// usage: gwtpl CASES.json ISTIO_TEXT_DIR OUT_DIR [OTHER_TEXT_DIR]
//
//	writes OUT_DIR/<case>.yaml (Istio's texts) and OUT_DIR/data.json (resolved ProxyConfig/MeshConfig
//	per case); with OTHER_TEXT_DIR also renders those texts and reports YAML equality per case.
//	OUT_DIR "-" writes nothing (compare only; a case where both texts fail to render counts as agreeing).
//	GWTPL_KEEP_ERRORS=1: a case Istio's text fails to render gets OUT_DIR/<case>.error instead of ending the run.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/golang/protobuf/jsonpb"
	legacyproto "github.com/golang/protobuf/proto"
	"google.golang.org/protobuf/proto"
	gateway "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"

	meshapi "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/config/kube/gatewaycommon"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/kube/inject"
	"istio.io/istio/pkg/test/util/tmpl"
	"istio.io/istio/pkg/util/protomarshal"
)

// The same shape as gatewaycommon's (unexported) derivedInput.
type derivedInput struct {
	gatewaycommon.TemplateInput

	ProxyImage        string
	AgentgatewayImage string
	ProxyConfig       *meshapi.ProxyConfig
	MeshConfig        *meshapi.MeshConfig
	Values            map[string]any
}

type testCase struct {
	Name        string          `json:"name"`
	Template    string          `json:"template"`
	Gateway     json.RawMessage `json:"gateway"`
	Input       json.RawMessage `json:"input"`
	Mesh        string          `json:"mesh"`
	ProxyConfig string          `json:"proxyConfig"`
	Values      json.RawMessage `json:"values"`
}

type resolved struct {
	ProxyConfig     json.RawMessage `json:"proxyConfig"`
	ProxyConfigJSON string          `json:"protoToJSON"`
	MeshConfig      json.RawMessage `json:"meshConfig"`
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func full(m proto.Message) json.RawMessage {
	s, err := (&jsonpb.Marshaler{EmitDefaults: true}).MarshalToString(legacyproto.MessageV1(m))
	must(err)
	return json.RawMessage(s)
}

func build(c testCase) derivedInput {
	var gw gateway.Gateway
	must(json.Unmarshal(c.Gateway, &gw))
	var ti gatewaycommon.TemplateInput
	must(json.Unmarshal(c.Input, &ti))
	ti.Gateway = &gw
	mc, err := mesh.ApplyMeshConfigDefaults(c.Mesh)
	must(err)
	// As env.GetProxyConfigOrDefault: the mesh's defaultConfig, with ProxyConfig resources merged over it.
	pc := protomarshal.Clone(mc.DefaultConfig)
	if c.ProxyConfig != "" {
		over := &meshapi.ProxyConfig{}
		must(protomarshal.ApplyYAML(c.ProxyConfig, over))
		proto.Merge(pc, over)
	}
	values := map[string]any{}
	must(yaml.Unmarshal(c.Values, &values))
	var extra struct {
		ProxyImage        string
		AgentgatewayImage string
	}
	must(json.Unmarshal(c.Input, &extra))
	return derivedInput{TemplateInput: ti, ProxyImage: extra.ProxyImage, AgentgatewayImage: extra.AgentgatewayImage,
		ProxyConfig: pc, MeshConfig: mc, Values: values}
}

func render(texts map[string]string, c testCase, in derivedInput) (string, error) {
	ts, err := inject.ParseTemplates(map[string]string{c.Template: texts[c.Template]})
	if err != nil {
		return "", err
	}
	return tmpl.Execute(ts[c.Template], in)
}

func readTexts(dir string) map[string]string {
	out := map[string]string{}
	for _, n := range []string{"waypoint", "kube-gateway", "agentgateway"} {
		b, err := os.ReadFile(filepath.Join(dir, n+".yaml"))
		if err == nil {
			out[n] = string(b)
		}
	}
	return out
}

func docs(s string) []any {
	var out []any
	for _, d := range strings.Split(s, "\n---") {
		var v any
		if err := yaml.Unmarshal([]byte(d), &v); err != nil {
			out = append(out, "invalid YAML: "+err.Error())
			continue
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

func main() {
	if len(os.Args) < 4 {
		must(fmt.Errorf("usage: gwtpl CASES.json ISTIO_TEXT_DIR OUT_DIR [OTHER_TEXT_DIR]"))
	}
	b, err := os.ReadFile(os.Args[1])
	must(err)
	var cases []testCase
	must(json.Unmarshal(b, &cases))
	istio := readTexts(os.Args[2])
	var other map[string]string
	if len(os.Args) > 4 {
		other = readTexts(os.Args[4])
	}
	data := map[string]resolved{}
	same, diff := 0, 0
	for _, c := range cases {
		in := build(c)
		out, err := render(istio, c, in)
		if err != nil && os.Args[3] == "-" && other != nil {
			// comparing only: both texts must fail alike
			_, oerr := render(other, c, in)
			if oerr != nil {
				same++
				fmt.Printf("%-40s both fail: %v | %v\n", c.Name, err, oerr)
			} else {
				diff++
				fmt.Printf("%-40s ISTIO FAILS, OURS NOT: %v\n", c.Name, err)
			}
			continue
		}
		if err != nil && os.Getenv("GWTPL_KEEP_ERRORS") != "" {
			// record the failure instead of a golden
			must(os.WriteFile(filepath.Join(os.Args[3], c.Name+".error"), []byte(err.Error()), 0o644))
			continue
		}
		must(err)
		if os.Args[3] != "-" {
			must(os.WriteFile(filepath.Join(os.Args[3], c.Name+".yaml"), []byte(out), 0o644))
		}
		pcj := inject.InjectionFuncmap["protoToJSON"].(func(proto.Message) string)(in.ProxyConfig)
		data[c.Name] = resolved{ProxyConfig: full(in.ProxyConfig), ProxyConfigJSON: pcj, MeshConfig: full(in.MeshConfig)}
		if other != nil {
			if _, ok := other[c.Template]; !ok {
				continue
			}
			o, err := render(other, c, in)
			if err != nil {
				fmt.Printf("%-40s ERROR %v\n", c.Name, err)
				diff++
				continue
			}
			if reflect.DeepEqual(docs(out), docs(o)) {
				same++
				fmt.Printf("%-40s same\n", c.Name)
			} else {
				diff++
				fmt.Printf("%-40s DIFFERENT\n", c.Name)
				must(os.WriteFile(filepath.Join(os.TempDir(), "gwtpl-ours-"+c.Name+".yaml"), []byte(o), 0o644))
			}
		}
	}
	if os.Args[3] != "-" {
		j, err := json.MarshalIndent(data, "", "  ")
		must(err)
		must(os.WriteFile(filepath.Join(os.Args[3], "data.json"), append(j, '\n'), 0o644))
	}
	if other != nil {
		fmt.Printf("equal %d, different %d\n", same, diff)
	}
}
