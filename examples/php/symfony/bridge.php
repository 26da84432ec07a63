<?php
/*
 * A request/response bridge between Swoole's Http API and Symfony's
 * HttpFoundation (5.4, Debian's php-symfony-http-foundation), with a
 * session kept in files across requests and workers. Written against
 * Swoole's documented API only.
 *
 * - The Swoole\Http\Request becomes a Symfony Request: query, form fields,
 *   cookies, uploaded files, the server array (upper case) with the headers
 *   as HTTP_* (so getHost(), getClientIp()... work), the raw body.
 * - The session: its id comes from the request's cookie (a new one when
 *   there is none or it is malformed), PHP's file handler stores it; after
 *   the app ran, a session that was used is saved and its cookie added.
 * - The Symfony Response goes out through the Swoole\Http\Response: status,
 *   headers, every cookie as its own Set-Cookie line (one header() call
 *   with the list: calling header() once per value would keep only the
 *   last), then the body: sendfile() for a file, write() for a streamed
 *   response, end() for the rest.
 */

use Swoole\Http\Request;
use Swoole\Http\Response;
use Symfony\Component\HttpFoundation\BinaryFileResponse;
use Symfony\Component\HttpFoundation\Cookie;
use Symfony\Component\HttpFoundation\Request as SymfonyRequest;
use Symfony\Component\HttpFoundation\Response as SymfonyResponse;
use Symfony\Component\HttpFoundation\Session\Session;
use Symfony\Component\HttpFoundation\Session\Storage\Handler\NativeFileSessionHandler;
use Symfony\Component\HttpFoundation\Session\Storage\NativeSessionStorage;
use Symfony\Component\HttpFoundation\StreamedResponse;

final class SymfonySwooleBridge
{
    public const SESSION_COOKIE = 'SFSESSID';

    /** @param callable(SymfonyRequest): SymfonyResponse $app */
    public function __construct(private $app, private string $sessionDir) {}

    public function __invoke(Request $request, Response $response): void
    {
        $sfRequest = self::toSymfony($request);
        $session = $this->session($sfRequest);
        $sfRequest->setSession($session);
        try {
            $sfResponse = ($this->app)($sfRequest);
        } catch (Throwable $e) {
            $sfResponse = new SymfonyResponse("internal error\n", 500, ['Content-Type' => 'text/plain']);
        }
        if ($session->isStarted()) {
            $session->save();
            $sfResponse->headers->setCookie(Cookie::create(self::SESSION_COOKIE, $session->getId(), 0, '/', null, false, true, false, Cookie::SAMESITE_LAX));
        }
        $sfResponse->prepare($sfRequest);
        self::emit($sfResponse, $response);
    }

    public static function toSymfony(Request $request): SymfonyRequest
    {
        $server = array_change_key_case($request->server ?? [], CASE_UPPER);
        foreach ($request->header ?? [] as $name => $value) {
            $key = strtoupper(str_replace('-', '_', $name));
            $server[in_array($key, ['CONTENT_TYPE', 'CONTENT_LENGTH'], true) ? $key : 'HTTP_' . $key] = $value;
        }
        if (isset($server['QUERY_STRING']) && $server['QUERY_STRING'] !== '') {
            $server['REQUEST_URI'] .= '?' . $server['QUERY_STRING'];
        }
        $raw = $request->rawContent();
        return new SymfonyRequest($request->get ?? [], $request->post ?? [], [], $request->cookie ?? [],
                                  $request->files ?? [], $server, $raw === false ? '' : $raw);
    }

    /* This request's session, not yet started (the app starts it by using
     * it). PHP's session functions are per process: the id is set for each
     * request, so one client's session is never another's. */
    private function session(SymfonyRequest $request): Session
    {
        $id = (string)$request->cookies->get(self::SESSION_COOKIE, '');
        if (!preg_match('/^[a-zA-Z0-9,-]{22,250}$/', $id)) {
            $id = session_create_id();
        }
        $storage = new NativeSessionStorage(['use_cookies' => 0, 'cache_limiter' => '', 'gc_probability' => 0,
                                             'name' => self::SESSION_COOKIE], new NativeFileSessionHandler($this->sessionDir));
        $storage->setId($id);
        return new Session($storage);
    }

    public static function emit(SymfonyResponse $sfResponse, Response $response): void
    {
        $response->status($sfResponse->getStatusCode());
        foreach ($sfResponse->headers->allPreserveCaseWithoutCookies() as $name => $values) {
            if (strcasecmp($name, 'Content-Length') === 0) {
                continue; /* Swoole frames the body itself */
            }
            $response->header($name, count($values) === 1 ? $values[0] : $values);
        }
        $cookies = array_map('strval', $sfResponse->headers->getCookies());
        if ($cookies) {
            $response->header('Set-Cookie', $cookies);
        }
        if ($sfResponse instanceof BinaryFileResponse) {
            $response->sendfile($sfResponse->getFile()->getPathname());
        } elseif ($sfResponse instanceof StreamedResponse) {
            ob_start(function (string $buffer) use ($response) {
                if ($buffer !== '') {
                    $response->write($buffer);
                }
                return '';
            }, 4096);
            $sfResponse->sendContent();
            ob_end_clean();
            $response->end();
        } else {
            $response->end($sfResponse->getContent());
        }
    }
}
