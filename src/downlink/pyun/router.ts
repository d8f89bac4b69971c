// The P云 cloud-HTTP gateway: one URL, flat JSON (or form) in, signed flat JSON out, routed on `service`.
import express, { type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { pyunGatewaySign, pyunGatewayVerify } from '../../codecs/pyun.js';
import type { PyunConfig, PyunHandler } from './services.js';

export interface PyunRouterOptions {
  cfg: PyunConfig;
  log: Logger;
  services: Record<string, PyunHandler>;
}

/** Reply envelope; values undefined are left out, so the sign covers exactly what is sent. */
export function pyunReply(
  service: string,
  code: string,
  message: string,
  data: Record<string, unknown> | undefined,
  key: string,
): Record<string, unknown> {
  const body: Record<string, unknown> = {
    service,
    version: '1.0',
    charset: 'UTF-8',
    result_code: code,
    message,
  };
  for (const [k, v] of Object.entries(data ?? {}))
    if (v !== undefined && v !== null && !(k in body)) body[k] = v;
  body.sign = pyunGatewaySign(body, key, true);
  return body;
}

export function createPyunRouter(o: PyunRouterOptions): Router {
  const r = express.Router();
  const { cfg, log } = o;
  const send = (
    res: Response,
    service: string,
    code: string,
    message: string,
    data?: Record<string, unknown>,
  ) => res.status(200).json(pyunReply(service, code, message, data, cfg.gatewayKey));

  r.post(
    cfg.path,
    express.json({ limit: '1mb' }),
    express.urlencoded({ extended: false, limit: '1mb' }),
    async (req: Request, res: Response) => {
      const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
      const service = typeof body.service === 'string' ? body.service : '';
      if (!service) return send(res, '', '1400', '缺少 service');
      if (!pyunGatewayVerify(body, cfg.gatewayKey)) {
        log.warn({ service }, 'pyun gateway: bad sign');
        return send(res, service, '1401', '签名错误');
      }
      if (body.park_uuid !== undefined && body.park_uuid !== '' && String(body.park_uuid) !== cfg.parkUuid)
        return send(res, service, '1400', 'park_uuid 不匹配');
      const handler = o.services[service];
      if (!handler) return send(res, service, '1503', `服务 ${service} 未实现`);
      try {
        const out = await handler(body);
        log.info({ service, code: out.code }, 'pyun gateway');
        return send(res, service, out.code, out.message, out.data);
      } catch (e) {
        log.error({ err: e, service }, 'pyun gateway: handler failed');
        return send(res, service, '1500', '接口处理异常');
      }
    },
  );
  // a body that is not JSON still gets a P云 answer, not an HTML error page
  r.use(cfg.path, (err: unknown, _req: Request, res: Response, next: (e?: unknown) => void) => {
    if (!err) return next();
    send(res, '', '1400', '请求格式错误');
  });
  return r;
}
