package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// The container image, as the Dockerfile builds it and the empty-root test
// (emptyroot_test.go) lays it out again: the tests tie both to these values.
const (
	imageBinary  = "/usr/local/bin/aftercare"
	imageCACerts = "/etc/ssl/certs/ca-certificates.crt"
	imageData    = "/data"
	imageUID     = 10001 // also the group
	imagePort    = "8080"
	// imageRootfs is where the build stage assembles the final filesystem.
	imageRootfs = "/rootfs"
)

// staticBuildEnv and staticBuildFlags are the Dockerfile's `go build` (without
// its -o and package); the empty-root test builds with exactly these.
var (
	staticBuildEnv   = []string{"CGO_ENABLED=0"}
	staticBuildFlags = []string{"-trimpath", "-ldflags=-s -w"}
)

// dockerfile is the parsed top-level Dockerfile.
type dockerfile struct {
	metaArgs []instructions.ArgCommand
	stages   []instructions.Stage
}

// parseDockerfile parses path with BuildKit's own parser and fails on any of
// its build-check warnings (what `docker build --check` reports).
func parseDockerfile(t *testing.T, path string) dockerfile {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := parser.Parse(f)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	for _, w := range res.Warnings {
		t.Errorf("%s: parser warning: %s", path, w.Short)
	}
	lint := linter.New(&linter.Config{Warn: func(rule, description, url, msg string, loc []parser.Range) {
		line := 0
		if len(loc) > 0 {
			line = loc[0].Start.Line
		}
		t.Errorf("%s:%d: build check %s: %s", path, line, rule, msg)
	}})
	stages, metaArgs, err := instructions.Parse(res.AST, lint)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return dockerfile{metaArgs: metaArgs, stages: stages}
}

func (d dockerfile) stage(t *testing.T, name string) instructions.Stage {
	t.Helper()
	for _, s := range d.stages {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("Dockerfile has no stage %q", name)
	return instructions.Stage{}
}

// shellCommands splits the shell-form RUN lines of stage into simple commands
// (words as the shell sees them, split at &&), expanding variables from env.
func shellCommands(t *testing.T, stage instructions.Stage, env map[string]string) [][]string {
	t.Helper()
	var kv []string
	for k, v := range env {
		kv = append(kv, k+"="+v)
	}
	lex := shell.NewLex('\\')
	var out [][]string
	for _, c := range stage.Commands {
		run, ok := c.(*instructions.RunCommand)
		if !ok {
			continue
		}
		if !run.PrependShell {
			out = append(out, run.CmdLine)
			continue
		}
		words, err := lex.ProcessWords(strings.Join(run.CmdLine, " "), shell.EnvsFromSlice(kv))
		if err != nil {
			t.Fatalf("RUN %s: %v", run.CmdLine, err)
		}
		cmd := []string{}
		for _, w := range words {
			if w == "&&" {
				out, cmd = append(out, cmd), []string{}
				continue
			}
			cmd = append(cmd, w)
		}
		out = append(out, cmd)
	}
	return out
}

// goDirective is the `go` line of go.mod.
func goDirective(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "go "); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatal("go.mod has no go directive")
	return ""
}

func TestDockerfileBuildsTheStaticBinaryTheEmptyRootTestRuns(t *testing.T) {
	d := parseDockerfile(t, "../../Dockerfile")
	if len(d.stages) != 2 {
		t.Fatalf("Dockerfile has %d stages, want build + final", len(d.stages))
	}
	goVersion := ""
	for _, a := range d.metaArgs {
		for _, kv := range a.Args {
			if kv.Key == "GO_VERSION" && kv.Value != nil {
				goVersion = *kv.Value
			}
		}
	}
	if want := goDirective(t); goVersion != want {
		t.Errorf("ARG GO_VERSION=%q, want go.mod's %q", goVersion, want)
	}
	build := d.stage(t, "build")
	if build.BaseName != "golang:${GO_VERSION}" {
		t.Errorf("build stage FROM %s, want golang:${GO_VERSION}", build.BaseName)
	}

	var goBuild []string
	cmds := shellCommands(t, build, map[string]string{"TARGETOS": "linux", "TARGETARCH": "arm64"})
	for _, c := range cmds {
		if i := slices.Index(c, "go"); i >= 0 && i+1 < len(c) && c[i+1] == "build" {
			goBuild = c
		}
	}
	if goBuild == nil {
		t.Fatalf("no RUN … go build in the build stage: %q", cmds)
	}
	i := slices.Index(goBuild, "go")
	env, args := goBuild[:i], goBuild[i+2:]
	for _, e := range staticBuildEnv {
		if !slices.Contains(env, e) {
			t.Errorf("go build runs with %q, want %s: a cgo binary needs the host's libc", env, e)
		}
	}
	for _, e := range env {
		if !slices.Contains(staticBuildEnv, e) && e != "GOOS=linux" && e != "GOARCH=arm64" {
			t.Errorf("go build sets %s, which the empty-root test does not", e)
		}
	}
	want := append(slices.Clone(staticBuildFlags), "-o", imageRootfs+imageBinary, "./cmd/aftercare")
	if !slices.Equal(args, want) {
		t.Errorf("go build %q\nwant     %q (the empty-root test's build)", args, want)
	}

	// The rest of the final filesystem: certificates and the private data directory.
	owner := strconv.Itoa(imageUID) + ":" + strconv.Itoa(imageUID)
	for _, wantCmd := range [][]string{
		{"cp", imageCACerts, imageRootfs + imageCACerts},
		{"chown", owner, imageRootfs + imageData},
		{"chmod", "0700", imageRootfs + imageData},
	} {
		if !slices.ContainsFunc(cmds, func(c []string) bool { return slices.Equal(c, wantCmd) }) {
			t.Errorf("build stage does not run %q", wantCmd)
		}
	}
}

func TestDockerfileFinalStageIsScratchNonRootWithVolumeAndHealthcheck(t *testing.T) {
	d := parseDockerfile(t, "../../Dockerfile")
	final := d.stages[len(d.stages)-1]
	if final.BaseName != "scratch" {
		t.Fatalf("final stage FROM %s, want scratch", final.BaseName)
	}
	var (
		copies          []*instructions.CopyCommand
		user            string
		env             = map[string]string{}
		volumes, ports  []string
		health          *instructions.HealthCheckCommand
		entrypoint, cmd *instructions.ShellDependantCmdLine
	)
	for _, c := range final.Commands {
		switch c := c.(type) {
		case *instructions.CopyCommand:
			copies = append(copies, c)
		case *instructions.UserCommand:
			user = c.User
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				env[kv.Key] = kv.Value
			}
		case *instructions.VolumeCommand:
			volumes = append(volumes, c.Volumes...)
		case *instructions.ExposeCommand:
			ports = append(ports, c.Ports...)
		case *instructions.HealthCheckCommand:
			health = c
		case *instructions.EntrypointCommand:
			entrypoint = &c.ShellDependantCmdLine
		case *instructions.CmdCommand:
			cmd = &c.ShellDependantCmdLine
		case *instructions.RunCommand:
			t.Errorf("final stage runs %q: scratch has no shell", c.CmdLine)
		}
	}

	if len(copies) != 1 || copies[0].From != "build" || !slices.Equal(copies[0].SourcePaths, []string{imageRootfs + "/"}) ||
		copies[0].DestPath != "/" || copies[0].Chown != "" || copies[0].Chmod != "" {
		t.Errorf("final stage copies %+v, want only COPY --from=build %s/ / (owners and modes as the build stage set them)", copies, imageRootfs)
	}
	uid, gid, _ := strings.Cut(user, ":")
	if uid != strconv.Itoa(imageUID) || gid != strconv.Itoa(imageUID) {
		t.Errorf("USER %q, want %d:%d: numeric (scratch has no /etc/passwd) and not root", user, imageUID, imageUID)
	}
	if env["AFTERCARE_DATA"] != imageData || env["AFTERCARE_ADDR"] != ":"+imagePort {
		t.Errorf("ENV %v, want AFTERCARE_DATA=%s AFTERCARE_ADDR=:%s", env, imageData, imagePort)
	}
	if !slices.Equal(volumes, []string{imageData}) {
		t.Errorf("VOLUME %q, want %s", volumes, imageData)
	}
	if !slices.Equal(ports, []string{imagePort}) {
		t.Errorf("EXPOSE %q, want %s", ports, imagePort)
	}
	if health == nil {
		t.Fatal("no HEALTHCHECK")
	}
	if h := health.Health; !slices.Equal(h.Test, []string{"CMD", imageBinary, "healthcheck"}) {
		t.Errorf("HEALTHCHECK %q, want exec form CMD [%q, \"healthcheck\"] (no shell in scratch)", h.Test, imageBinary)
	} else if h.Timeout <= healthcheckTimeout || h.Interval < 10*time.Second || h.Retries < 2 {
		t.Errorf("HEALTHCHECK timeout %v (must exceed the command's own %v), interval %v, retries %d", h.Timeout, healthcheckTimeout, h.Interval, h.Retries)
	}
	if entrypoint == nil || entrypoint.PrependShell || !slices.Equal(entrypoint.CmdLine, []string{imageBinary}) {
		t.Errorf("ENTRYPOINT %+v, want exec form [%q]", entrypoint, imageBinary)
	}
	if cmd == nil || cmd.PrependShell || !slices.Equal(cmd.CmdLine, []string{"serve"}) {
		t.Errorf("CMD %+v, want exec form [\"serve\"]", cmd)
	}
}

func TestDockerignoreKeepsLocalDataOutOfTheBuild(t *testing.T) {
	data, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	// The default -data of a local `go run` sits in the repository: client health data.
	def := filepath.Clean(strings.TrimPrefix(envDefaultData(t), "./"))
	for _, want := range []string{".git", def} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore does not exclude %s", want)
		}
	}
}

// envDefaultData is serve's default -data with no AFTERCARE_DATA set.
func envDefaultData(t *testing.T) string {
	t.Helper()
	t.Setenv("AFTERCARE_DATA", "")
	os.Unsetenv("AFTERCARE_DATA")
	cfg, err := parseServe(nil)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.DataDir
}
