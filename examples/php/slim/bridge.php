<?php
/*
 * A small bridge between Swoole's Http API and Slim 3 (its own PSR-7,
 * Slim\Http): a Swoole\Http\Request becomes a Slim\Http\Request, the app
 * processes it, and its response goes out through the Swoole\Http\Response:
 * status, every header (a header of several values as several lines, as
 * Set-Cookie needs), and the body, whole with end() when its size is known
 * and small, in write() chunks (chunked transfer encoding) when it is not.
 * Written against Swoole's documented API only.
 */

use Psr\Http\Message\ResponseInterface;
use Slim\App;
use Slim\Http\Environment;
use Slim\Http\Headers;
use Slim\Http\Request as SlimRequest;
use Slim\Http\Response as SlimResponse;
use Slim\Http\Stream;
use Slim\Http\UploadedFile;
use Slim\Http\Uri;
use Swoole\Http\Request;
use Swoole\Http\Response;

final class SlimSwooleBridge
{
    public const CHUNK = 8192;

    public function __construct(private App $app) {}

    /* The Swoole server's request callback. */
    public function __invoke(Request $request, Response $response): void
    {
        try {
            $slim = $this->app->process($this->toSlim($request), new SlimResponse(200, new Headers(['Content-Type' => 'text/html; charset=UTF-8'])));
        } catch (Throwable $e) {
            $response->status(500);
            $response->end("internal error\n");
            return;
        }
        self::emit($slim, $response);
    }

    /* The CGI-like environment Slim builds its Uri and Headers from. */
    private static function environment(Request $request): Environment
    {
        $server = array_change_key_case($request->server ?? [], CASE_UPPER);
        $env = [
            'REQUEST_METHOD' => $server['REQUEST_METHOD'] ?? 'GET',
            'REQUEST_URI' => $server['REQUEST_URI'] ?? '/',
            'QUERY_STRING' => $server['QUERY_STRING'] ?? '',
            'SERVER_PROTOCOL' => $server['SERVER_PROTOCOL'] ?? 'HTTP/1.1',
            'SERVER_PORT' => $server['SERVER_PORT'] ?? 80,
            'REMOTE_ADDR' => $server['REMOTE_ADDR'] ?? '',
            'REMOTE_PORT' => $server['REMOTE_PORT'] ?? 0,
            'REQUEST_TIME' => $server['REQUEST_TIME'] ?? time(),
            'REQUEST_TIME_FLOAT' => $server['REQUEST_TIME_FLOAT'] ?? microtime(true),
            'SCRIPT_NAME' => '',
        ];
        if ($env['REQUEST_URI'] !== '' && $env['QUERY_STRING'] !== '') {
            $env['REQUEST_URI'] .= '?' . $env['QUERY_STRING'];
        }
        foreach ($request->header ?? [] as $name => $value) {
            $key = strtoupper(str_replace('-', '_', $name));
            $env[in_array($key, ['CONTENT_TYPE', 'CONTENT_LENGTH'], true) ? $key : 'HTTP_' . $key] = $value;
        }
        return Environment::mock($env);
    }

    public function toSlim(Request $request): SlimRequest
    {
        $env = self::environment($request);
        $body = new Stream(fopen('php://temp', 'w+'));
        $raw = $request->rawContent();
        if ($raw !== false && $raw !== '') {
            $body->write($raw);
            $body->rewind();
        }
        $files = [];
        foreach ($request->files ?? [] as $field => $file) {
            $files[$field] = self::uploaded($file);
        }
        $slim = new SlimRequest($env['REQUEST_METHOD'], Uri::createFromEnvironment($env), Headers::createFromEnvironment($env),
                                $request->cookie ?? [], $env->all(), $body, $files);
        /* a form Swoole parsed (urlencoded or multipart); JSON and the rest
         * are left to Slim's own body parsers */
        if ($request->post !== null) {
            $slim = $slim->withParsedBody($request->post);
        }
        return $slim;
    }

    /* One uploaded file (or a list of them, for field[]) as Slim's. */
    private static function uploaded(array $file): UploadedFile|array
    {
        if (!isset($file['tmp_name'])) {
            return array_map([self::class, 'uploaded'], $file);
        }
        return new UploadedFile($file['tmp_name'], $file['name'] ?? null, $file['type'] ?? null, $file['size'] ?? null, $file['error'] ?? UPLOAD_ERR_OK);
    }

    public static function emit(ResponseInterface $slim, Response $response): void
    {
        $response->status($slim->getStatusCode(), $slim->getReasonPhrase());
        foreach ($slim->getHeaders() as $name => $values) {
            if (strcasecmp($name, 'Content-Length') === 0) {
                continue; /* Swoole frames the body itself */
            }
            $response->header($name, count($values) === 1 ? $values[0] : $values);
        }
        $body = $slim->getBody();
        if ($body->isSeekable()) {
            $body->rewind();
        }
        $size = $body->getSize();
        if ($size !== null && $size <= self::CHUNK) {
            $response->end((string)$body->getContents());
            return;
        }
        while (!$body->eof()) {
            $chunk = $body->read(self::CHUNK);
            if ($chunk !== '' && !$response->write($chunk)) {
                return; /* the client is gone */
            }
        }
        $response->end();
    }
}
