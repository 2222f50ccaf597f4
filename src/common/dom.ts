/**
 * A small element builder, so the panels read as the markup they make.
 */

export type Child = Node | string | null | undefined | false;

export interface IAttributes {
  [name: string]: string | number | boolean | null | undefined | EventListener;
}

/**
 * `h('button', {class: 'x', onclick: f, 'aria-label': 'Close'}, 'text')`.
 * Attributes starting with `on` are listeners; `false`/`null`/`undefined`
 * attributes are left out, `true` ones are set empty.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: IAttributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/**
 * Replace every child of `parent`.
 */
export function replaceChildren(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) {
    parent.removeChild(parent.firstChild);
  }
  append(parent, children);
}

/**
 * Re-render `container` without losing the keyboard focus: the element that
 * had it is found again in the new content by its `data-focus-key`.
 */
export function keepingFocus(container: HTMLElement, render: () => void): void {
  const active = document.activeElement as HTMLElement | null;
  const key = active && container.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key !== undefined) {
    const again = Array.from(container.querySelectorAll<HTMLElement>('[data-focus-key]')).find(
      element => element.dataset.focusKey === key
    );
    again?.focus();
  }
}
