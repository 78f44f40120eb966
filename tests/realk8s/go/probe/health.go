package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"
)

// Verdict is one tool's reading of an object's health.
type Verdict struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Health is what kstatus and Argo CD say of one object.
type Health struct {
	Name    string  `json:"name"`
	Kind    string  `json:"kind"`
	Kstatus Verdict `json:"kstatus"`
	Argocd  Verdict `json:"argocd"`
}

func health(scripts string, in io.Reader, out io.Writer) error {
	var objects []map[string]any
	decoder := json.NewDecoder(in)
	decoder.UseNumber()
	if err := decoder.Decode(&objects); err != nil {
		return fmt.Errorf("stdin: want a JSON array of objects: %w", err)
	}
	results := make([]Health, 0, len(objects))
	for _, object := range objects {
		u := &unstructured.Unstructured{Object: normalize(object).(map[string]any)}
		computed, err := status.Compute(u)
		if err != nil {
			return fmt.Errorf("%s %s: kstatus: %w", u.GetKind(), u.GetName(), err)
		}
		script, err := os.ReadFile(filepath.Join(scripts, strings.ToLower(u.GetKind())+".lua"))
		if err != nil {
			return err
		}
		argocd, err := argoHealth(string(script), u.Object)
		if err != nil {
			return fmt.Errorf("%s %s: health.lua: %w", u.GetKind(), u.GetName(), err)
		}
		results = append(results, Health{
			Name:    u.GetName(),
			Kind:    u.GetKind(),
			Kstatus: Verdict{Status: computed.Status.String(), Message: computed.Message},
			Argocd:  argocd,
		})
	}
	return writeJSON(out, results)
}

// normalize turns json.Number into the int64 or float64 that apimachinery's
// own JSON decoding gives, so kstatus reads generations as integers.
func normalize(value any) any {
	switch v := value.(type) {
	case map[string]any:
		for key, item := range v {
			v[key] = normalize(item)
		}
		return v
	case []any:
		for i, item := range v {
			v[i] = normalize(item)
		}
		return v
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	}
	return value
}

// argoHealth runs a health script as Argo CD's util/lua VM does for a
// resource customization (UseOpenLibs false, the default): no standard
// libraries but package, base and table (Argo's 'safe' os is left out: onair's
// scripts need none, so using it fails here, which is stricter), a one-second
// deadline, the object as the global 'obj', and a returned table whose status
// must be one of Argo's health codes.
func argoHealth(script string, object map[string]any) (Verdict, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return Verdict{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, object))
	if err := l.DoString(script); err != nil {
		return Verdict{}, err
	}
	returned := l.Get(-1)
	table, ok := returned.(*lua.LTable)
	if !ok {
		return Verdict{}, fmt.Errorf("expect table output from Lua script, not %s", returned.Type())
	}
	verdict := Verdict{
		Status:  lua.LVAsString(table.RawGetString("status")),
		Message: lua.LVAsString(table.RawGetString("message")),
	}
	switch verdict.Status {
	case "Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown":
		return verdict, nil
	}
	return Verdict{Status: "Unknown", Message: "Lua returned an invalid health status"}, nil
}

// toLua converts as Argo CD's decodeValue does: null becomes nil (absent),
// arrays become 1-based tables.
func toLua(l *lua.LState, value any) lua.LValue {
	switch v := value.(type) {
	case bool:
		return lua.LBool(v)
	case float64:
		return lua.LNumber(v)
	case int64:
		return lua.LNumber(v)
	case string:
		return lua.LString(v)
	case []any:
		table := l.CreateTable(len(v), 0)
		for _, item := range v {
			table.Append(toLua(l, item))
		}
		return table
	case map[string]any:
		table := l.CreateTable(0, len(v))
		for key, item := range v {
			table.RawSetH(lua.LString(key), toLua(l, item))
		}
		return table
	}
	return lua.LNil
}
