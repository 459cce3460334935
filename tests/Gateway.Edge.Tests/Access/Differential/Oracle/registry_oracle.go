// registry_oracle reads raw HTTP/1.x requests and prints, for each, what Debian's distribution 2.8.2 registry
// makes of it: Go's own net/http server parses the bytes, and two handlers look at the parsed request.
//
//   - "app" is the registry itself (handlers.NewApp, in-memory storage) with an access controller that records
//     the access records the registry asks for: the registry's own idea of the scopes a request needs, including
//     the mount source it reads with FormValue("from") after Go's header and body parsing.
//   - "router" is the registry's router (v2.RouterWithPrefix) with a handler that records the matched route, its
//     variables and the form values the handlers read (from, mount, digest, _state), read the way the handlers
//     read them (Request.FormValue).
//
// Input on stdin: records of a 4-byte big-endian length followed by that many bytes of one connection's data.
// Output on stdout: one JSON object per record, in order. Built offline in GOPATH mode against Debian's
// golang-github-docker-distribution-dev (GO111MODULE=off GOPATH=/usr/share/gocode).
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/docker/distribution/configuration"
	dcontext "github.com/docker/distribution/context"
	"github.com/docker/distribution/reference"
	v2 "github.com/docker/distribution/registry/api/v2"
	"github.com/docker/distribution/registry/auth"
	"github.com/docker/distribution/registry/handlers"
	_ "github.com/docker/distribution/registry/storage/driver/inmemory"
	"github.com/gorilla/mux"
	"github.com/sirupsen/logrus"
)

// Seen is what one handler saw of one request the Go server parsed.
type Seen struct {
	Method    string   `json:"method"`
	Route     string   `json:"route"`
	Name      string   `json:"name"`
	NameValid bool     `json:"nameValid"`
	Reference string   `json:"reference,omitempty"`
	Digest    string   `json:"digest,omitempty"`
	UUID      string   `json:"uuid,omitempty"`
	From      string   `json:"from"`
	Mount     string   `json:"mount"`
	DigestArg string   `json:"digestArg,omitempty"`
	State     bool     `json:"state"`
	Access    []string `json:"access"`
	Host      string   `json:"host"`
	Path      string   `json:"path"`
	RawQuery  string   `json:"rawQuery"`
	ContentType []string `json:"contentType"`
}

// Result is the oracle's answer for one record.
type Result struct {
	// Router: one entry per request the Go server read from the bytes, as the registry's router saw it.
	Router []Seen `json:"router"`
	// Access: one entry per request that reached the registry's access check, with the access records it asked for.
	Access []Seen `json:"access"`
	// Statuses: the status codes the registry answered, in order (a request Go refused shows as its 4xx).
	Statuses []int `json:"statuses"`
}

var (
	mu       sync.Mutex
	routerLog []Seen
	accessLog []Seen
)

type recordingController struct{}

func (recordingController) Authorized(ctx context.Context, access ...auth.Access) (context.Context, error) {
	seen := Seen{
		Name:      dcontext.GetStringValue(ctx, "vars.name"),
		Reference: dcontext.GetStringValue(ctx, "vars.reference"),
		Digest:    dcontext.GetStringValue(ctx, "vars.digest"),
		UUID:      dcontext.GetStringValue(ctx, "vars.uuid"),
		Access:    []string{},
	}
	if r, err := dcontext.GetRequest(ctx); err == nil {
		seen.Method = r.Method
		seen.Host = r.Host
		seen.Path = r.URL.Path
		seen.RawQuery = r.URL.RawQuery
	}
	for _, a := range access {
		seen.Access = append(seen.Access, a.Type+":"+a.Name+":"+a.Action)
		if a.Type == "repository" && a.Name != seen.Name && a.Action == "pull" {
			seen.From = a.Name
		}
	}
	mu.Lock()
	accessLog = append(accessLog, seen)
	mu.Unlock()
	return auth.WithUser(ctx, auth.UserInfo{Name: "oracle"}), nil
}

func routerHandler() http.Handler {
	router := v2.RouterWithPrefix("")
	record := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			vars := mux.Vars(r)
			seen := Seen{
				Method:      r.Method,
				Route:       name,
				Name:        vars["name"],
				Reference:   vars["reference"],
				Digest:      vars["digest"],
				UUID:        vars["uuid"],
				Host:        r.Host,
				Path:        r.URL.Path,
				RawQuery:    r.URL.RawQuery,
				ContentType: r.Header.Values("Content-Type"),
				Access:      []string{},
			}
			if seen.Name != "" {
				_, err := reference.WithName(seen.Name)
				seen.NameValid = err == nil
			}
			// The registry's handlers read these with FormValue (app.go authorized, blobupload.go).
			seen.From = r.FormValue("from")
			seen.Mount = r.FormValue("mount")
			seen.DigestArg = r.FormValue("digest")
			seen.State = r.FormValue("_state") != ""
			mu.Lock()
			routerLog = append(routerLog, seen)
			mu.Unlock()
			w.WriteHeader(http.StatusOK)
		})
	}
	for _, name := range []string{v2.RouteNameBase, v2.RouteNameManifest, v2.RouteNameTags, v2.RouteNameBlob,
		v2.RouteNameBlobUpload, v2.RouteNameBlobUploadChunk, v2.RouteNameCatalog} {
		router.GetRoute(name).Handler(record(name))
	}
	router.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		routerLog = append(routerLog, Seen{Method: r.Method, Route: "", Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Access: []string{}})
		mu.Unlock()
		w.WriteHeader(http.StatusNotFound)
	})
	return router
}

// memConn is one client connection: it reads the given bytes, then end of stream; what the server writes is kept.
type memConn struct {
	in     *bytes.Reader
	out    bytes.Buffer
	outMu  sync.Mutex
	closed chan struct{}
	once   sync.Once
}

func (c *memConn) Read(p []byte) (int, error) { return c.in.Read(p) }
func (c *memConn) Write(p []byte) (int, error) {
	c.outMu.Lock()
	defer c.outMu.Unlock()
	return c.out.Write(p)
}
func (c *memConn) Close() error                       { c.once.Do(func() { close(c.closed) }); return nil }
func (c *memConn) LocalAddr() net.Addr                { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000} }
func (c *memConn) RemoteAddr() net.Addr               { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000} }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

type memListener struct{ conns chan net.Conn }

func (l *memListener) Accept() (net.Conn, error) {
	c, ok := <-l.conns
	if !ok {
		return nil, errors.New("closed")
	}
	return c, nil
}
func (l *memListener) Close() error   { return nil }
func (l *memListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 5000} }

// serve runs one connection's bytes through a server and returns what it wrote once it closed the connection.
func serve(l *memListener, data []byte) []byte {
	c := &memConn{in: bytes.NewReader(data), closed: make(chan struct{})}
	l.conns <- c
	select {
	case <-c.closed:
	case <-time.After(10 * time.Second):
	}
	c.outMu.Lock()
	defer c.outMu.Unlock()
	return append([]byte(nil), c.out.Bytes()...)
}

func statuses(out []byte) []int {
	codes := []int{}
	reader := bufio.NewReader(bytes.NewReader(out))
	for {
		resp, err := http.ReadResponse(reader, nil)
		if err != nil {
			return codes
		}
		codes = append(codes, resp.StatusCode)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func main() {
	logrus.SetOutput(io.Discard)
	if err := auth.Register("oracle", func(map[string]interface{}) (auth.AccessController, error) {
		return recordingController{}, nil
	}); err != nil {
		panic(err)
	}

	config := &configuration.Configuration{
		Storage: configuration.Storage{"inmemory": configuration.Parameters{}, "delete": configuration.Parameters{"enabled": true}},
		Auth:    configuration.Auth{"oracle": configuration.Parameters{}},
	}
	config.HTTP.Secret = "registry-oracle-secret"
	config.Log.AccessLog.Disabled = true
	config.Log.Level = "panic"
	app := handlers.NewApp(context.Background(), config)

	appListener := &memListener{conns: make(chan net.Conn)}
	routerListener := &memListener{conns: make(chan net.Conn)}
	quiet := func() *http.Server { return &http.Server{ErrorLog: nil} }
	appServer := quiet()
	appServer.Handler = app
	routerServer := quiet()
	routerServer.Handler = routerHandler()
	go func() { _ = appServer.Serve(appListener) }()
	go func() { _ = routerServer.Serve(routerListener) }()

	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	encoder := json.NewEncoder(out)
	var header [4]byte
	for {
		if _, err := io.ReadFull(in, header[:]); err != nil {
			break
		}
		data := make([]byte, binary.BigEndian.Uint32(header[:]))
		if _, err := io.ReadFull(in, data); err != nil {
			fmt.Fprintln(os.Stderr, "truncated record:", err)
			os.Exit(1)
		}

		mu.Lock()
		routerLog, accessLog = nil, nil
		mu.Unlock()
		serve(routerListener, data)
		written := serve(appListener, data)
		mu.Lock()
		result := Result{Router: routerLog, Access: accessLog, Statuses: statuses(written)}
		if result.Router == nil {
			result.Router = []Seen{}
		}
		if result.Access == nil {
			result.Access = []Seen{}
		}
		mu.Unlock()
		if err := encoder.Encode(result); err != nil {
			panic(err)
		}
		if in.Buffered() == 0 {
			_ = out.Flush()
		}
	}
	_ = out.Flush()
}
