/*
 * form.js — the little script of Tetrad's forms (web/src/formview.c writes
 * the markup it reads). It saves round trips, nothing more: every page
 * works without it, the server judges relevance again on every post and
 * the buttons it takes over post when it is off. Nothing is fetched; no
 * inline script or handler is needed (CSP script-src 'self').
 *
 *   relevance    a field with data-rel="<path>" data-rel-in='[…]' shows
 *                only while that field's answer is one of the values
 *                (.tf-off hides it); data-reqif… shows its .tf-reqif mark
 *   repeat items «Добавить: …» copies the group's <template> (index
 *                "*"), «Убрать: …» removes the item and renumbers
 *                the ones after it; "_n.<group>" keeps the count
 *   Enter        in a text box does not post the form (it would press the
 *                first button on the page)
 */
(function () {
	'use strict';

	var RENAMED = ['name', 'id', 'for', 'data-rel', 'data-reqif', 'data-group',
		'data-path', 'aria-describedby', 'href'];

	/* s with every `from` that starts a path (not the tail of a longer id)
	 * replaced by `to`. */
	function replacePath(s, from, to) {
		var out = '', i = 0, j;

		while ((j = s.indexOf(from, i)) >= 0) {
			var before = j > 0 ? s.charAt(j - 1) : '';

			out += s.substring(i, j);
			out += /[a-z0-9_]/.test(before) ? from : to;
			i = j + from.length;
		}
		return out + s.substring(i);
	}

	function renameEl(el, from, to) {
		for (var a = 0; a < RENAMED.length; a++) {
			var v = el.getAttribute(RENAMED[a]);

			if (v !== null && v.indexOf(from) >= 0)
				el.setAttribute(RENAMED[a], replacePath(v, from, to));
		}
		/* the add / remove buttons carry paths in their value */
		if (el.tagName === 'BUTTON' && el.name === '_act' && el.value.indexOf(from) >= 0)
			el.value = replacePath(el.value, from, to);
		if (el.tagName === 'TEMPLATE')
			renameAll(el.content, from, to);
	}

	/* Every element of node (an element or a fragment), templates' too. */
	function renameAll(node, from, to) {
		if (node.nodeType === 1)
			renameEl(node, from, to);
		var all = node.querySelectorAll('*');

		for (var i = 0; i < all.length; i++)
			renameEl(all[i], from, to);
	}

	/* name -> the controls of that name (templates' are not in the page). */
	function controls(root) {
		var m = {}, els = root.querySelectorAll('input, select, textarea');

		for (var i = 0; i < els.length; i++) {
			var n = els[i].name;

			if (n)
				(m[n] = m[n] || []).push(els[i]);
		}
		return m;
	}

	function answers(els) {
		var out = [];

		for (var i = 0; els && i < els.length; i++) {
			var el = els[i], v;

			if (el.type === 'radio' || el.type === 'checkbox')
				v = el.checked ? el.value : '';
			else
				v = String(el.value).trim();
			if (v !== '')
				out.push(v);
		}
		return out;
	}

	function num(s) {
		var t = String(s).replace(/[\s\u00a0\u202f]/g, '').replace(',', '.');

		return t === '' ? NaN : Number(t);
	}

	/* Whether the condition data-<kind>… of el holds now. */
	function holds(el, kind, ctl) {
		var path = el.getAttribute('data-' + kind), list, w, got;

		try {
			list = JSON.parse(el.getAttribute('data-' + kind + '-in') || '[]');
		} catch (e) {
			return true;
		}
		/* an answer that does not apply counts as none (the server drops it) */
		w = document.getElementById('w-' + path);
		if (w && w.closest('.tf-off'))
			return false;
		got = answers(ctl[path]);
		for (var i = 0; i < got.length; i++)
			for (var k = 0; k < list.length; k++) {
				if (el.hasAttribute('data-' + kind + '-num') ?
				    num(got[i]) === num(list[k]) : got[i] === list[k])
					return true;
			}
		return false;
	}

	function judge(root) {
		var ctl = controls(root), rel = root.querySelectorAll('[data-rel]');
		var changed = true;

		/* hiding one field may hide the ones that depend on it: again */
		for (var pass = 0; changed && pass < 20; pass++) {
			changed = false;
			for (var i = 0; i < rel.length; i++) {
				var off = !holds(rel[i], 'rel', ctl);

				if (off !== rel[i].classList.contains('tf-off')) {
					rel[i].classList.toggle('tf-off', off);
					changed = true;
				}
			}
		}
		var req = root.querySelectorAll('[data-reqif]');

		for (var j = 0; j < req.length; j++) {
			var on = holds(req[j], 'reqif', ctl);
			var marks = req[j].querySelectorAll('.tf-reqif');

			for (var m = 0; m < marks.length; m++)
				if (marks[m].closest('[data-reqif]') === req[j])
					marks[m].hidden = !on;
		}
	}

	function countInput(root, gpath) {
		var els = root.querySelectorAll('input[type="hidden"]');

		for (var i = 0; i < els.length; i++)
			if (els[i].name === '_n.' + gpath)
				return els[i];
		return null;
	}

	function itemsOf(gpath) {
		var box = document.getElementById('i-' + gpath), out = [];

		for (var c = box ? box.firstElementChild : null; c; c = c.nextElementSibling)
			if (c.classList.contains('tf-item'))
				out.push(c);
		return out;
	}

	/* The buttons say what may be done: not past max_items, not below min. */
	function buttons(root, gpath) {
		var g = document.getElementById('w-' + gpath), items = itemsOf(gpath);
		var min = Number(g && g.getAttribute('data-min')) || 0;
		var max = Number(g && g.getAttribute('data-max')) || 1000;
		var cnt = countInput(root, gpath);

		if (cnt)
			cnt.value = String(items.length);
		for (var i = 0; i < items.length; i++) {
			var del = items[i].querySelector('.item-actions > .tf-del');

			if (del)
				del.disabled = items.length <= min;
		}
		var kids = g ? g.querySelectorAll('.tf-add') : [];

		for (var k = 0; k < kids.length; k++)
			if (kids[k].value === 'add:' + gpath)
				kids[k].disabled = items.length >= max;
	}

	function number(item, k) {
		/* the item's own legend and «Убрать» button, not nested items' */
		var ns = item.querySelectorAll(':scope > legend > .tf-num, ' +
		    ':scope > .item-actions > .tf-del > .tf-num');

		for (var i = 0; i < ns.length; i++)
			ns[i].textContent = String(k + 1);
	}

	function add(root, gpath) {
		var tpls = root.querySelectorAll('template.tf-tpl'), tpl = null;
		var box = document.getElementById('i-' + gpath);

		for (var i = 0; i < tpls.length; i++)
			if (tpls[i].getAttribute('data-group') === gpath)
				tpl = tpls[i];
		if (!tpl || !box)
			return false;
		var k = itemsOf(gpath).length, frag = tpl.content.cloneNode(true);

		renameAll(frag, gpath + '[*]', gpath + '[' + k + ']');
		var item = frag.firstElementChild;

		number(item, k);
		box.appendChild(frag);
		buttons(root, gpath);
		judge(root);
		var first = item.querySelector('input:not([type="hidden"]), select, textarea');

		if (first)
			first.focus();
		return true;
	}

	function remove(root, ipath) {
		var m = /^(.*)\[(\d+)\]$/.exec(ipath);

		if (!m)
			return false;
		var gpath = m[1], k = Number(m[2]), item = document.getElementById('w-' + ipath);

		if (!item)
			return false;
		var items = itemsOf(gpath);

		item.parentNode.removeChild(item);
		for (var j = k + 1; j < items.length; j++) {
			renameAll(items[j], gpath + '[' + j + ']', gpath + '[' + (j - 1) + ']');
			number(items[j], j - 1);
		}
		buttons(root, gpath);
		judge(root);
		return true;
	}

	function setup(root) {
		root.classList.add('tf-js');
		judge(root);
		root.addEventListener('change', function () { judge(root); });
		root.addEventListener('input', function () { judge(root); });
		root.addEventListener('click', function (ev) {
			var b = ev.target.closest('button[name="_act"]');

			if (!b || !root.contains(b) || b.disabled)
				return;
			var v = b.value, done = false;

			if (v.indexOf('add:') === 0)
				done = add(root, v.substring(4));
			else if (v.indexOf('del:') === 0)
				done = remove(root, v.substring(4));
			/* done in place; otherwise the button posts as without script */
			if (done)
				ev.preventDefault();
		});
		root.addEventListener('keydown', function (ev) {
			var t = ev.target;

			if (ev.key === 'Enter' && t.tagName === 'INPUT' &&
			    t.type !== 'submit' && t.type !== 'button')
				ev.preventDefault();
		});
	}

	function start() {
		var roots = document.querySelectorAll('.tform');

		for (var i = 0; i < roots.length; i++)
			setup(roots[i]);
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', start);
	else
		start();
}());
