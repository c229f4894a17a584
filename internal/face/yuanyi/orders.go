package yuanyi

import (
	"plaza/internal/orders"
)

// orderMethods are the shopping cart and the orders (the orders core).
func (f *face) orderMethods() map[string]method {
	return map[string]method{
		"shopping_cart_add":             {required, f.cartAdd},
		"shopping_cart_del":             {required, f.cartDel},
		"shopping_cart_info":            {required, f.cartInfo},
		"order_create":                  {required, f.orderCreate(false)},
		"order_create_by_shopping_cart": {required, f.orderCreate(true)},
		"order_pay":                     {required, f.orderPay},
		"order_cancel":                  {required, f.orderCancel},
		"my_order_list":                 {required, f.myOrderList},
		"order_detail":                  {required, f.orderDetail},
		"my_ticket_list":                {required, f.myTicketList},
	}
}

func (f *face) cartAdd(c *call) (result, error) {
	id, err := c.id("ticket_id")
	if err != nil {
		return nil, err
	}
	return nil, f.Orders.AddToCart(c.r.Context(), c.user.ID, id)
}

func (f *face) cartDel(c *call) (result, error) {
	id, err := c.id("ticket_id")
	if err != nil {
		return nil, err
	}
	return nil, f.Orders.RemoveFromCart(c.r.Context(), c.user.ID, id)
}

func (f *face) cartInfo(c *call) (result, error) {
	offset, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	items, err := f.Orders.Cart(c.r.Context(), c.user.ID, offset, limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = map[string]any{
			"ticket_id": it.TicketID, "ticket_name": it.Name, "ticket_image": orNull(it.Image), "ticket_intro": orNull(it.Intro),
			"ticket_price": it.Price, "created_at": ms(it.CreatedAt), "updated_at": ms(it.UpdatedAt),
		}
	}
	return result{"shopping_cart_info": out}, nil
}

// orderCreate takes ticket_id_list (a list or "1,2,3"); it answers the new
// order's order_id besides the document's empty answer.
func (f *face) orderCreate(fromCart bool) func(*call) (result, error) {
	return func(c *call) (result, error) {
		ids, err := c.ids("ticket_id_list", orders.MaxTickets)
		if err != nil {
			return nil, err
		}
		o, err := f.Orders.Create(c.r.Context(), c.user.ID, ids, fromCart)
		if err != nil {
			return nil, err
		}
		return result{"order_id": o.ID}, nil
	}
}

// orderPay takes order_id and pay_method (sandbox by default, wallet,
// wechat, alipay) and answers order_pay {order_id, pay_method, paid}, with
// out_trade_no and the vendor's params (WeChat) or order_string (Alipay)
// when the app is to pay through the vendor.
func (f *face) orderPay(c *call) (result, error) {
	id, err := c.id("order_id")
	if err != nil {
		return nil, err
	}
	method, err := c.str("pay_method")
	if err != nil {
		return nil, err
	}
	co, err := f.Orders.Pay(c.r.Context(), c.user.ID, id, method)
	if err != nil {
		return nil, err
	}
	pay := map[string]any{"order_id": co.OrderID, "pay_method": co.Method, "paid": co.Paid}
	if co.OutTradeNo != "" {
		pay["out_trade_no"] = co.OutTradeNo
		if co.Prepay.Params != nil {
			pay["params"] = co.Prepay.Params // WeChat: the fields of the SDK's PayReq
		}
		if co.Prepay.OrderString != "" {
			pay["order_string"] = co.Prepay.OrderString // Alipay: payV2's order string
		}
	}
	return result{"order_pay": pay}, nil
}

func (f *face) orderCancel(c *call) (result, error) {
	id, err := c.id("order_id")
	if err != nil {
		return nil, err
	}
	return nil, f.Orders.Cancel(c.r.Context(), c.user.ID, id)
}

func orderItem(o orders.Order, uid string) map[string]any {
	return map[string]any{
		"order_id": o.ID, "uid": uid, "price": o.Price, "status": int(o.Status), "created_at": ms(o.CreatedAt), "updated_at": ms(o.UpdatedAt),
	}
}

// myOrderList takes an optional status (0 pending, 1 done, 2 cancelled;
// absent or null: every order).
func (f *face) myOrderList(c *call) (result, error) {
	var status *orders.Status
	n, given, err := c.p.Int("status")
	if err != nil {
		return nil, err
	}
	if given {
		if n != int64(int(n)) {
			n = -1 // no status: the core refuses it
		}
		s := orders.Status(n)
		status = &s
	}
	offset, limit, err := c.page()
	if err != nil {
		return nil, err
	}
	list, err := f.Orders.List(c.r.Context(), c.user.ID, status, offset, limit)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(list))
	for i, o := range list {
		out[i] = orderItem(o.Order, c.user.UID)
		out[i]["ticket_name"], out[i]["ticket_image"] = orNull(o.TicketName), orNull(o.TicketImage)
	}
	return result{"my_order_list": out}, nil
}

// orderDetail: another user's order is not found (400, docs/compat.md).
func (f *face) orderDetail(c *call) (result, error) {
	id, err := c.id("order_id")
	if err != nil {
		return nil, err
	}
	o, items, err := f.Orders.Get(c.r.Context(), c.user.ID, id)
	if err != nil {
		return nil, err
	}
	list := make([]map[string]any, len(items))
	for i, it := range items {
		list[i] = map[string]any{
			"ticket_id": it.TicketID, "price": it.Price, "created_at": ms(it.CreatedAt), "updated_at": ms(it.UpdatedAt),
			"ticket_name": it.Name, "ticket_image": orNull(it.Image),
		}
	}
	d := orderItem(o, c.user.UID)
	d["order_item_list"] = list
	return result{"order_detail": d}, nil
}

func (f *face) myTicketList(c *call) (result, error) {
	p, err := c.pageOf()
	if err != nil {
		return nil, err
	}
	tickets, err := f.Showcase.BoughtTickets(c.r.Context(), c.user.ID, p)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]any, len(tickets))
	for i, t := range tickets {
		out[i] = ticketItem(t)
	}
	return result{"my_ticket_list": out}, nil
}
