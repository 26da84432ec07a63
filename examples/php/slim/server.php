<?php
/*
 * A Slim 3 application (Debian's php-slim, with its own PSR-7 Slim\Http)
 * served by Swoole\Http\Server through bridge.php. Written against
 * Swoole's documented API only: it runs unchanged on Swoole 6 and on swirl.
 *
 *   php server.php [PORT] [WORKERS]
 *
 * Routes: GET / and /hello/{name}; GET /json (JSON, the query); POST /form
 * (a urlencoded, multipart or JSON body back as JSON); POST /upload (the
 * files' names, sizes and md5); GET /cookies (the request's cookies, and
 * two Set-Cookie); GET /redirect (302); GET /stream (a body of unknown
 * size, sent in chunks); GET /pid (the worker's pid). Anything else:
 * Slim's 404 and 405 pages.
 */

use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use Psr\Http\Message\StreamInterface;
use Slim\App;
use Slim\Http\Cookies;
use Swoole\Http\Server;

/* Slim 3 predates PHP 8.1's return types: its classes raise deprecation
 * notices on PHP >= 8.1 (harmless, and not the server's) */
error_reporting(E_ALL & ~E_DEPRECATED);

if (is_file(__DIR__ . '/vendor/autoload.php')) {
    require __DIR__ . '/vendor/autoload.php'; /* composer require slim/slim:^3 */
} else {
    /* Debian's php-slim: its autoloaders find each other on the include path */
    set_include_path(get_include_path() . PATH_SEPARATOR . '/usr/share/php');
    if (!stream_resolve_include_path('Slim/autoload.php')) {
        fwrite(STDERR, "Slim 3 not found: apt-get install php-slim (or composer require slim/slim:^3)\n");
        exit(1);
    }
    require 'Slim/autoload.php';
}
require __DIR__ . '/bridge.php';

/* A body produced piece by piece, of a size not known in advance. */
final class CountdownStream implements StreamInterface
{
    private int $left;

    public function __construct(private int $chunks) { $this->left = $chunks; }
    public function __toString() { return $this->getContents(); }
    public function close() {}
    public function detach() { return null; }
    public function getSize() { return null; }
    public function tell() { return $this->chunks - $this->left; }
    public function eof() { return $this->left === 0; }
    public function isSeekable() { return false; }
    public function seek($offset, $whence = SEEK_SET) { throw new RuntimeException('not seekable'); }
    public function rewind() { throw new RuntimeException('not seekable'); }
    public function isWritable() { return false; }
    public function write($string) { throw new RuntimeException('not writable'); }
    public function isReadable() { return true; }
    public function read($length)
    {
        if ($this->left === 0) {
            return '';
        }
        return sprintf("chunk %d of %d\n", $this->chunks - --$this->left, $this->chunks);
    }
    public function getContents()
    {
        $all = '';
        while (!$this->eof()) {
            $all .= $this->read(8192);
        }
        return $all;
    }
    public function getMetadata($key = null) { return $key === null ? [] : null; }
}

$app = new App(['settings' => ['displayErrorDetails' => false, 'addContentLengthHeader' => false]]);

$app->get('/', function (ServerRequestInterface $request, ResponseInterface $response) {
    $response->getBody()->write("Hello, Slim\n");
    return $response;
});
$app->get('/hello/{name}', function (ServerRequestInterface $request, ResponseInterface $response, array $args) {
    $response->getBody()->write('Hello, ' . htmlspecialchars($args['name']) . "\n");
    return $response;
});
$app->get('/json', function ($request, $response) {
    return $response->withJson(['framework' => 'slim', 'query' => $request->getQueryParams()]);
});
$app->post('/form', function ($request, $response) {
    return $response->withJson(['type' => $request->getMediaType(), 'body' => $request->getParsedBody()]);
});
$app->post('/upload', function ($request, $response) {
    $out = [];
    foreach ($request->getUploadedFiles() as $field => $file) {
        $out[$field] = ['name' => $file->getClientFilename(), 'type' => $file->getClientMediaType(), 'size' => $file->getSize(),
                        'md5' => md5((string)$file->getStream()), 'error' => $file->getError()];
    }
    return $response->withJson(['files' => $out, 'fields' => $request->getParsedBody()]);
});
$app->get('/cookies', function ($request, $response) {
    $cookies = new Cookies();
    $cookies->set('visits', (string)((int)($request->getCookieParams()['visits'] ?? 0) + 1));
    $cookies->set('flavour', ['value' => 'oat meal', 'path' => '/', 'httponly' => true]);
    foreach ($cookies->toHeaders() as $line) {
        $response = $response->withAddedHeader('Set-Cookie', $line);
    }
    return $response->withJson(['received' => $request->getCookieParams()]);
});
$app->get('/redirect', function ($request, $response) {
    return $response->withRedirect('/hello/redirected', 302);
});
$app->get('/stream', function ($request, $response) {
    return $response->withHeader('Content-Type', 'text/plain')->withBody(new CountdownStream((int)($request->getQueryParams()['n'] ?? 5)));
});
$app->get('/pid', function ($request, $response) {
    $response->getBody()->write(getmypid() . "\n");
    return $response;
});

$server = new Server('127.0.0.1', (int)($argv[1] ?? 8080), SWOOLE_PROCESS);
$server->set(['worker_num' => (int)($argv[2] ?? 2)]);
$server->on('request', new SlimSwooleBridge($app));
$server->start();
