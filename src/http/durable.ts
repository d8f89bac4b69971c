// With group commit on, a use-case's writes reach the disk at the end of the event-loop turn. No reply may
// leave before that: this middleware holds every response until the batch holding its writes is committed,
// and turns a failed commit into a 503 instead of an acknowledgement of something that was never stored.
import type { Request, Response, NextFunction } from 'express';

export function durableResponses(durable: () => Promise<void>) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const end = res.end.bind(res) as (...a: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      durable().then(
        () => end(...args),
        () => {
          if (!res.headersSent) {
            res.statusCode = 503;
            res.setHeader('content-type', 'application/json; charset=utf-8');
            end(JSON.stringify({ error: 'storage failure: not recorded, please retry' }));
          } else end(...args);
        },
      );
      return res;
    }) as Response['end'];
    next();
  };
}
