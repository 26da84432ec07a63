<?php
/* Seed 003 §2 (预派生子进程): the pre-forked model of early php-fpm, with
 * pcntl only (no swirl API): 4 forked workers block in
 * stream_socket_accept on the listening socket they inherited, one
 * connection at a time. The seed's class and start script as they are.
 * Completed: the helper function debug() from seed 003 §5, the address
 * tcp://127.0.0.1:PORT with PORT from argv (default 9000) instead of
 * tcp://0.0.0.0:9000, no autoloader (all in this file); and one line for
 * PHP 8 (marked): the listening socket is non-blocking, so the workers that
 * lose the race for a connection get false from stream_socket_accept, and
 * fread(false) is a TypeError in PHP 8 (a warning, silenced by @, in PHP 7)
 * that would end the worker: such a worker goes back to accept. As in the
 * seed, the master waits for one worker to end, then ends too. */
namespace {
function debug($data, $flag = false)
{
    if ($flag) {
        var_dump($data);
    } else {
        echo "==== >>>> : ".$data." \n";
    }
}
// 发送信息
function send($client, $data, $flag = false)
{
    if ($flag) {
        fwrite($client, $data);
    } else {
        $response = "HTTP/1.1 200 OK\r\n";
        $response .= "Content-Type: text/html;charset=UTF-8\r\n";
        $response .= "Connection: keep-alive\r\n";
        $response .= "Content-length: ".strlen($data)."\r\n\r\n";
        $response .= $data;
        fwrite($client, $response);
    }
}
/**
 * 用来写入 pid的函数
 */
function pidPut($data, $path){
    (empty($data)) ? file_put_contents($path, null) : file_put_contents($path, $data.'|', 8) ;
}
/**
 * 获取pid的函数
 */
function pidGet($path){
    $string = file_get_contents($path);
    return explode("|",  substr($string, 0 , strlen($string) - 1));
}
}

namespace Willyin\Io\PcntlModel {

// 这是等会自个要写的服务
class Worker
{

    // 自定义服务的事件注册函数，
    // 这三个是闭包函数
    public $onReceive = null;
    public $onConnect = null;
    public $onClose = null;
    // 连接
    public $socket = null;

    // 创建多个子进程 -》 是不是可以自定义
    protected $config = [
        'worker_num' => 4
    ];

    public function __construct($socket_address)
    {
        $this->socket = stream_socket_server($socket_address);
        stream_set_blocking($this->socket, 0);
    }

    // 启动服务的
    public function start()
    {
        $this->fork();
    }
    // 创建多个子进程，并且让子进程可以去运行accept函数
    public function fork()
    {
        for ($i=0; $i < $this->config['worker_num']; $i++) {
            $son11 = pcntl_fork();
            if ($son11 > 0) {
                // 父进程空间
            } else if($son11 < 0){
                // 进程创建失败的时候
            } else {

                $this->accept();
                // 处理接收请求
                exit;
            }

        }

        $status = 0;
        $son = pcntl_wait($status);


    }
    // 需要处理事情
    public function accept()
    {
        // 接收连接和处理使用
        while (true) {
            $a =  posix_getpid();
            debug($a); // 阻塞
            debug("准备就绪");

            // 监听的过程是阻塞的
            $client = @stream_socket_accept($this->socket);
            if ($client === false) continue;   // PHP 8 (see the top)


            if (is_callable($this->onConnect)) {
                // 执行函数
                ($this->onConnect)($this, $client);
            }
            $data = @fread($client, 65535);
            if (is_callable($this->onReceive)) {
                ($this->onReceive)($this, $client, $data);
                debug($a);
                debug("完成工作");
            }

        }
    }
    public function set($value)
    {
        // ..
    }

    // 发送信息
    public function send($client, $data)
    {
        $response = "HTTP/1.1 200 OK\r\n";
        $response .= "Content-Type: text/html;charset=UTF-8\r\n";
        $response .= "Connection: keep-alive\r\n";
        $response .= "Content-length: ".strlen($data)."\r\n\r\n";
        $response .= $data;
        @fwrite($client, $response);
    }
}
}

namespace {
use Willyin\Io\PcntlModel\Worker;

$host = "tcp://127.0.0.1:" . ($argv[1] ?? 9000);   // completion: "tcp://0.0.0.0:9000"
$server = new Worker($host);
$server->onConnect = function($socket, $client){
    echo "有一个连接进来了\n";
};
// 接收和处理信息
$server->onReceive = function($socket, $client, $data){
    $socket->send($client, "hello world client \n");
};
$server->start();
}
