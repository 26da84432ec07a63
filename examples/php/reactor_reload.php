<?php
/* Seed 003 §5 (实现 stop 和 reload): the reactor + SO_REUSEPORT worker. A
 * master forks 4 workers; each listens on the same port (so_reuseport) and
 * serves its connections with Swoole\Event::add on PHP stream sockets; the
 * master reloads the workers (kill them, fork new ones) on SIGUSR1.
 * The seed's helper functions, its Worker class and its start script, in one
 * file. Completed:
 *   - the seed's final fork() (the one ending the child with `exit`, as the
 *     seed's "问题" section says: with `break` the child would fall into the
 *     master's monitor loop); after `exit` the child's event loop runs, as
 *     in Swoole, at the end of the script;
 *   - the pid file: $WORKER_PID_FILE or <tmp>/workerPids.txt instead of
 *     /www/io/test/reactor/pid/workerPids.txt;
 *   - the address: tcp://127.0.0.1:PORT, PORT from argv (default 9000)
 *     instead of tcp://0.0.0.0:9000; no autoloader (all in this file). */
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

namespace Willyin\Io\Reactor\Swoole\Mulit {
use Swoole\Event;

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
    protected $socket_address = null;
    // 记录子进程pid地址
    protected $workerPidFiles = "/www/io/test/reactor/pid/workerPids.txt";
    // 以内存的方式存pids
    protected $workerPids = [];

    public function __construct($socket_address)
    {
        $this->socket_address = $socket_address;
        $this->workerPidFiles = getenv('WORKER_PID_FILE') ?: sys_get_temp_dir() . '/workerPids.txt'; // completion
    }
    // 需要处理事情
    public function accept()
    {
        Event::add($this->initServer(), $this->createSocket());
    }



    public function initServer()
    {
        // 并不会起到太大的影响
        // 这里是参考与workerman中的写法
        $opts = [
            'socket' => [
                // 设置等待资源的个数
                'backlog' => '102400',
            ],
        ];

        $context = stream_context_create($opts);
        // 设置端口可以重复监听
        \stream_context_set_option($context, 'socket', 'so_reuseport', 1);

        // 传递一个资源的文本 context
        return $this->socket = stream_socket_server($this->socket_address , $errno , $errstr, STREAM_SERVER_BIND | STREAM_SERVER_LISTEN, $context);
    }

    public function createSocket()
    {
        return function($socket){
            // debug(posix_getpid());
            // $client 是不是资源 socket
            $client = stream_socket_accept($this->socket);
            // is_callable判断一个参数是不是闭包
            if (is_callable($this->onConnect)) {
                // 执行函数
                ($this->onConnect)($this, $client);
            }
            // 默认就是循环操作
            Event::add($client, $this->sendClient());
        };
    }

    public function sendClient()
    {
        return function($socket){
            //从连接当中读取客户端的内容
            $buffer=fread($socket,1024);
            //如果数据为空，或者为false,不是资源类型
            if(empty($buffer)){
                if(feof($socket) || !is_resource($socket)){
                    //触发关闭事件
                    swoole_event_del($socket);
                    fclose($socket);
                }
            }
            //正常读取到数据,触发消息接收事件,响应内容
            if(!empty($buffer) && is_callable($this->onReceive)){
                ($this->onReceive)($this, $socket, $buffer);
            }
        };
    }

    public function reloadCli()
    {
        // 先停止运行的进程
        $this->stop();
        pidPut(null, $this->workerPidFiles);
        // 清空记录
        $this->fork();
    }
    //通过信号传递信息,杀死一个子进程就随之创建一个
    public function reloadSig($workerNum =null )
    {
        $workerNum = (empty($workerNum)) ? $this->config['worker_num'] : $workerNum ;
        $this->stop();
        $this->fork($workerNum);
    }

    public function sigHandler($sig)
    {
        switch ($sig) {
          case SIGUSR1:
            //重启
            $this->reloadSig();
            break;
          case SIGKILL:
            // 停止
            $this->stop();
            break;
        }
    }

    public function stop()
    {
        $workerPids = pidGet($this->workerPidFiles);
        foreach ($workerPids  as $key => $workerPid) {
            posix_kill($workerPid, 9);
        }
    }

    // 启动服务的
    public function start()
    {
        debug('start 开始 访问：'.$this->socket_address);
        pidPut(null, $this->workerPidFiles);
        $this->fork();

        // 答案是后
        $this->monitorWorkersForLinux();
    }
    //就是把fork方法中的子进程回收提取了出来,下面内容时仿照workerman的写法
    public function monitorWorkersForLinux()
    {
         // 信号安装
         pcntl_signal(SIGUSR1, [$this, 'sigHandler'], false);
         while (1) {
             // Calls signal handlers for pending signals.
             \pcntl_signal_dispatch();
             // Suspends execution of the current process until a child has exited, or until a signal is delivered
             \pcntl_wait($status);
             // Calls signal handlers for pending signals again.
             \pcntl_signal_dispatch();
         }
    }
    public function fork($workerNum = null)
    {
        $workerNum = (empty($workerNum)) ? $this->config['worker_num'] : $workerNum ;
        for ($i=0; $i < $workerNum; $i++) {
            $son11 = pcntl_fork();
            if ($son11 > 0) {
                // 父进程空间
                pidPut($son11, $this->workerPidFiles);
                $this->workerPids[] = $son11;
            } else if($son11 < 0){
                // 进程创建失败的时候
            } else {
                // debug(posix_getpid()); // 阻塞
                $this->accept();
                // 处理接收请求
                //break;
                exit;
            }
        }
    }
}
}

namespace {
use Willyin\Io\Reactor\Swoole\Mulit\Worker;
$host = "tcp://127.0.0.1:" . ($argv[1] ?? 9000);   // completion: "tcp://0.0.0.0:9000"
$server = new Worker($host);

$server->onConnect = function($socket, $conn=null){
    echo "有一个连接进来了\n";
    //var_dump($conn);
};
$server->onReceive = function($socket, $client, $data){
   send($client, "hello world client \n",false);
};
// debug($host);
$server->start();
}
