/** Matches request paths against API Gateway route templates (`/orders/{orderId}`), most specific first. */
export interface RouteMatch<T> {
  readonly route: T;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

interface CompiledRoute<T> {
  readonly route: T;
  readonly method: string;
  readonly path: string;
  readonly pattern: RegExp;
  readonly parameterNames: readonly string[];
  readonly literalSegments: number;
}

export class RouteTable<T> {
  private readonly compiled: CompiledRoute<T>[];

  constructor(routes: readonly { method: string; path: string; value: T }[]) {
    this.compiled = routes
      .map(({ method, path, value }) => {
        const parameterNames: string[] = [];
        const segments = path.split('/').filter(Boolean);
        const pattern = segments
          .map((segment) => {
            const parameter = /^\{(\w+)\}$/.exec(segment);
            if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            parameterNames.push(parameter[1] as string);
            return '([^/]+)';
          })
          .join('/');
        return {
          route: value,
          method,
          path,
          pattern: new RegExp(`^/${pattern}/?$`),
          parameterNames,
          literalSegments: segments.length - parameterNames.length,
        };
      })
      // API Gateway prefers the most specific route: more literal segments win.
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** `undefined` = no route for the path; `'method-not-allowed'` = the path exists under another method. */
  match(method: string, path: string): RouteMatch<T> | undefined {
    for (const candidate of this.compiled) {
      if (candidate.method !== method) continue;
      const found = candidate.pattern.exec(path);
      if (!found) continue;
      const pathParameters: Record<string, string> = {};
      candidate.parameterNames.forEach((name, index) => {
        pathParameters[name] = decodeURIComponent(found[index + 1] as string);
      });
      return { route: candidate.route, routeKey: `${candidate.method} ${candidate.path}`, pathParameters };
    }
    return undefined;
  }
}
