// Types shared by the PWA's modules, for the type check only (.ci/js): global, so no
// module imports another just for its types (the server hashes what each file imports).

/** A mounted screen of the client app: its node, what gets focus, what to stop when it goes. */
interface AppScreen {
  node: HTMLElement;
  focus?: HTMLElement;
  cleanup?: () => void;
}

/** What every screen of the client app gets (app.js ctx). */
interface ClientContext {
  token: string | null;
  /** The plan as GET /api/p/{token} answers it, with what still waits in the outbox. */
  plan: any;
  /** One-shot state for the next screen (e.g. the check-in just sent). */
  flash: any;
  show(hash: string, flash?: any): void;
  addCompletion(c: any): void;
  addCheckin(c: any): void;
  deliveryNotice(): HTMLElement;
}

/** A child for h(): nodes, text, numbers; null, undefined and false are left out; lists are flattened. */
type Child = Node | string | number | boolean | null | undefined | Child[];
