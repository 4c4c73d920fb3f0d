package io.gala.agent.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A small HTTP/1.1 server on Netty for the agent's two endpoints (Prometheus text on :8888, probe
 * control on :9999): bounded request size, optional bearer token, one handler function, and a
 * handler failure becomes a 500 with the reason instead of a dead connection.
 */
public final class HttpServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(HttpServer.class.getName());

  /** Handles one request; runs on the event loop, so it must not block for long. */
  @FunctionalInterface
  public interface Handler {
    HttpResponse handle(HttpRequest request) throws Exception;
  }

  private final String name;
  private final Channel channel;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  private HttpServer(String name, Channel channel) {
    this.name = name;
    this.channel = channel;
  }

  /**
   * Binds address:port (port 0 picks a free one). Requests larger than maxBody get 413; when token
   * is not empty, requests without {@code Authorization: Bearer <token>} get 401.
   */
  public static HttpServer start(
      String name,
      EventLoopGroup group,
      String address,
      int port,
      String token,
      int maxBody,
      Handler handler)
      throws InterruptedException {
    HttpServer[] self = new HttpServer[1];
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec(4096, 8192, 8192))
                        .addLast(new HttpObjectAggregator(maxBody))
                        .addLast(new Dispatch(self, token, handler));
                  }
                });
    try {
      Channel ch = b.bind(address, port).sync().channel();
      self[0] = new HttpServer(name, ch);
      LOG.info(() -> name + " listening on " + ch.localAddress());
      return self[0];
    } catch (Exception e) {
      throw new IllegalStateException(
          "bind "
              + name
              + " to "
              + address
              + ":"
              + port
              + ": "
              + e.getMessage()
              + " (is another agent or gala-gopher running? choose another port in the config)",
          e);
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  public long requests() {
    return requests.get();
  }

  /** Requests refused: bad token, too large, malformed HTTP. */
  public long rejected() {
    return rejected.get();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  private static final class Dispatch extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final HttpServer[] server;
    private final byte[] token;
    private final Handler handler;

    Dispatch(HttpServer[] server, String token, Handler handler) {
      this.server = server;
      this.token = token == null || token.isEmpty() ? null : token.getBytes(StandardCharsets.UTF_8);
      this.handler = handler;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      HttpServer s = server[0];
      s.requests.incrementAndGet();
      HttpResponse resp;
      if (!req.decoderResult().isSuccess()) {
        s.rejected.incrementAndGet();
        boolean tooLong = req.decoderResult().cause() instanceof TooLongFrameException;
        resp =
            HttpResponse.text(
                tooLong ? 413 : 400,
                "malformed HTTP request: " + req.decoderResult().cause() + "\n");
      } else if (token != null && !authorized(req)) {
        s.rejected.incrementAndGet();
        resp = HttpResponse.text(401, "missing or wrong bearer token\n");
      } else {
        QueryStringDecoder qs = new QueryStringDecoder(req.uri());
        byte[] body = new byte[req.content().readableBytes()];
        req.content().getBytes(req.content().readerIndex(), body);
        HttpRequest request =
            new HttpRequest(
                req.method().name(),
                qs.path(),
                qs.parameters(),
                req.headers().get(HttpHeaderNames.CONTENT_TYPE, ""),
                body);
        try {
          resp = handler.handle(request);
        } catch (Exception e) {
          LOG.log(
              Level.WARNING,
              s.name + ": " + request.method() + " " + request.path() + " failed",
              e);
          resp = HttpResponse.text(500, "internal error: " + e + "\n");
        }
      }
      FullHttpResponse out =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(resp.status()),
              Unpooled.wrappedBuffer(resp.body()));
      out.headers().set(HttpHeaderNames.CONTENT_TYPE, resp.contentType());
      out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, resp.body().length);
      if (token != null && resp.status() == 401) {
        out.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      }
      boolean keepAlive = HttpUtil.isKeepAlive(req) && req.decoderResult().isSuccess();
      if (keepAlive) {
        out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(out);
      } else {
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
      }
    }

    private boolean authorized(FullHttpRequest req) {
      String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION, "");
      if (!auth.startsWith("Bearer ")) {
        return false;
      }
      // Constant-time comparison: the token guards probe control.
      return MessageDigest.isEqual(
          token, auth.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      server[0].rejected.incrementAndGet();
      if (cause instanceof Error) {
        // Out of memory while building a response (a huge exposition) would otherwise look like an
        // empty reply and nothing in the log.
        LOG.log(
            Level.SEVERE,
            server[0].name
                + ": request failed: "
                + cause
                + " (raise -Xmx, or reduce series: fewer probes, snoopers, coarser sub-probes)",
            cause);
      } else {
        LOG.fine(() -> "connection error: " + cause);
      }
      ctx.close();
    }
  }
}
