<?php
/*
 * A small application on Symfony's HttpFoundation (5.4, Debian's
 * php-symfony-http-foundation) served by Swoole\Http\Server through
 * bridge.php, with sessions and several Set-Cookie headers. Written against
 * Swoole's documented API only: it runs unchanged on Swoole 6 and on swirl.
 *
 *   php server.php [PORT] [SESSION_DIR]
 *
 * Routes: GET / ; GET /json (JSON of the query and the client);
 * POST /form (fields and uploaded files as JSON); GET /session (a counter
 * kept in the session); GET /logout (the session invalidated);
 * GET /cookies (three Set-Cookie: two set, one cleared); GET /redirect;
 * GET /stream (a StreamedResponse); GET /file (a BinaryFileResponse);
 * GET /pid (the worker's pid).
 */

use Swoole\Http\Server;
use Symfony\Component\HttpFoundation\BinaryFileResponse;
use Symfony\Component\HttpFoundation\Cookie;
use Symfony\Component\HttpFoundation\JsonResponse;
use Symfony\Component\HttpFoundation\RedirectResponse;
use Symfony\Component\HttpFoundation\Request;
use Symfony\Component\HttpFoundation\Response;
use Symfony\Component\HttpFoundation\StreamedResponse;

if (is_file(__DIR__ . '/vendor/autoload.php')) {
    require __DIR__ . '/vendor/autoload.php'; /* composer require symfony/http-foundation */
} elseif (is_file('/usr/share/php/Symfony/Component/HttpFoundation/autoload.php')) {
    require '/usr/share/php/Symfony/Component/HttpFoundation/autoload.php';
} else {
    fwrite(STDERR, "Symfony HttpFoundation not found: apt-get install php-symfony-http-foundation (or composer require symfony/http-foundation)\n");
    exit(1);
}
require __DIR__ . '/bridge.php';

$app = function (Request $request): Response {
    switch ($request->getPathInfo()) {
        case '/':
            return new Response("Hello, Symfony\n", 200, ['Content-Type' => 'text/plain']);
        case '/json':
            return new JsonResponse(['query' => $request->query->all(), 'host' => $request->getHost(),
                                     'ip' => $request->getClientIp(), 'method' => $request->getMethod()]);
        case '/form':
            if (!$request->isMethod('POST')) {
                return new Response("POST only\n", 405, ['Allow' => 'POST', 'Content-Type' => 'text/plain']);
            }
            $files = [];
            foreach ($request->files->all() as $field => $file) {
                $files[$field] = ['name' => $file->getClientOriginalName(), 'size' => $file->getSize(),
                                  'md5' => md5_file($file->getPathname()), 'valid' => $file->getError() === UPLOAD_ERR_OK];
            }
            return new JsonResponse(['fields' => $request->request->all(), 'files' => $files]);
        case '/session':
            $session = $request->getSession();
            $session->set('count', $session->get('count', 0) + 1);
            $session->getFlashBag()->add('note', 'visited');
            return new JsonResponse(['count' => $session->get('count')]);
        case '/logout':
            $session = $request->getSession();
            $session->start(); /* invalidate() regenerates the id of a started session only */
            $session->invalidate();
            return new JsonResponse(['logged_out' => true]);
        case '/cookies':
            $response = new JsonResponse(['received' => $request->cookies->all()]);
            $response->headers->setCookie(Cookie::create('theme', 'dark'));
            $response->headers->setCookie(Cookie::create('lang', 'fr', 0, '/', null, false, false, false, Cookie::SAMESITE_STRICT));
            $response->headers->clearCookie('old');
            return $response;
        case '/redirect':
            return new RedirectResponse('/json?from=redirect');
        case '/stream':
            return new StreamedResponse(function () {
                for ($i = 1; $i <= 3; $i++) {
                    echo "part $i\n";
                    flush();
                }
            }, 200, ['Content-Type' => 'text/plain']);
        case '/file':
            return new BinaryFileResponse(__FILE__, 200, ['Content-Type' => 'text/plain']);
        case '/pid':
            return new Response(getmypid() . "\n", 200, ['Content-Type' => 'text/plain']);
    }
    return new Response("not found\n", 404, ['Content-Type' => 'text/plain']);
};

$sessionDir = $argv[2] ?? sys_get_temp_dir() . '/symfony-swoole-sessions';
is_dir($sessionDir) || mkdir($sessionDir, 0700, true);
$server = new Server('127.0.0.1', (int)($argv[1] ?? 8080), SWOOLE_PROCESS);
$server->set(['worker_num' => 2]);
$server->on('request', new SymfonySwooleBridge($app, $sessionDir));
$server->start();
